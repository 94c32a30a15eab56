from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.operator_in import OperatorIn
from ...models.operator_out import OperatorOut
from ...types import Response


def _get_kwargs(
    email: str,
    *,
    body: OperatorIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/operators/{email}".format(
            email=quote(str(email), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | OperatorOut | None:
    if response.status_code == 200:
        response_200 = OperatorOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = OperatorOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = ErrorBody.from_dict(response.json())

        return response_414

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 431:
        response_431 = ErrorBody.from_dict(response.json())

        return response_431

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | OperatorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    email: str,
    *,
    client: AuthenticatedClient | Client,
    body: OperatorIn,
) -> Response[ErrorBody | OperatorOut]:
    """Give an operator a role in the program: an existing account gets the role (or a new one),
    an unknown email gets an account with a one-time password, in this answer only. `201` when
    the operator joins the program, `200` when its role changed or stayed. The program's last
    owner cannot be demoted.

    Args:
        email (str):
        body (OperatorIn): A role for an operator, and a name for a new account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | OperatorOut]
    """

    kwargs = _get_kwargs(
        email=email,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    email: str,
    *,
    client: AuthenticatedClient | Client,
    body: OperatorIn,
) -> ErrorBody | OperatorOut | None:
    """Give an operator a role in the program: an existing account gets the role (or a new one),
    an unknown email gets an account with a one-time password, in this answer only. `201` when
    the operator joins the program, `200` when its role changed or stayed. The program's last
    owner cannot be demoted.

    Args:
        email (str):
        body (OperatorIn): A role for an operator, and a name for a new account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | OperatorOut
    """

    return sync_detailed(
        email=email,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    email: str,
    *,
    client: AuthenticatedClient | Client,
    body: OperatorIn,
) -> Response[ErrorBody | OperatorOut]:
    """Give an operator a role in the program: an existing account gets the role (or a new one),
    an unknown email gets an account with a one-time password, in this answer only. `201` when
    the operator joins the program, `200` when its role changed or stayed. The program's last
    owner cannot be demoted.

    Args:
        email (str):
        body (OperatorIn): A role for an operator, and a name for a new account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | OperatorOut]
    """

    kwargs = _get_kwargs(
        email=email,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    email: str,
    *,
    client: AuthenticatedClient | Client,
    body: OperatorIn,
) -> ErrorBody | OperatorOut | None:
    """Give an operator a role in the program: an existing account gets the role (or a new one),
    an unknown email gets an account with a one-time password, in this answer only. `201` when
    the operator joins the program, `200` when its role changed or stayed. The program's last
    owner cannot be demoted.

    Args:
        email (str):
        body (OperatorIn): A role for an operator, and a name for a new account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | OperatorOut
    """

    return (
        await asyncio_detailed(
            email=email,
            client=client,
            body=body,
        )
    ).parsed
