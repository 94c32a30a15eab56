from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.meter_out import MeterOut
from ...models.put_meter_body import PutMeterBody
from ...types import Response


def _get_kwargs(
    name: str,
    *,
    body: PutMeterBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/meters/{name}".format(
            name=quote(str(name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | MeterOut | None:
    if response.status_code == 200:
        response_200 = MeterOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = MeterOut.from_dict(response.json())

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
) -> Response[ErrorBody | MeterOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: PutMeterBody,
) -> Response[ErrorBody | MeterOut]:
    """Declare (or change) a meter: a non-spendable counter per member, fed by rules'
    `add_to_meter` effects, with a window (`lifetime`, `rolling_days`, `calendar_month`,
    `calendar_quarter`, `calendar_year`) and a kind (`sum`, `distinct` keys, or `weighted` sum of
    other meters). Values are computed from the entries, so a change applies to the past too.

    Args:
        name (str):
        body (PutMeterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MeterOut]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: PutMeterBody,
) -> ErrorBody | MeterOut | None:
    """Declare (or change) a meter: a non-spendable counter per member, fed by rules'
    `add_to_meter` effects, with a window (`lifetime`, `rolling_days`, `calendar_month`,
    `calendar_quarter`, `calendar_year`) and a kind (`sum`, `distinct` keys, or `weighted` sum of
    other meters). Values are computed from the entries, so a change applies to the past too.

    Args:
        name (str):
        body (PutMeterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MeterOut
    """

    return sync_detailed(
        name=name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: PutMeterBody,
) -> Response[ErrorBody | MeterOut]:
    """Declare (or change) a meter: a non-spendable counter per member, fed by rules'
    `add_to_meter` effects, with a window (`lifetime`, `rolling_days`, `calendar_month`,
    `calendar_quarter`, `calendar_year`) and a kind (`sum`, `distinct` keys, or `weighted` sum of
    other meters). Values are computed from the entries, so a change applies to the past too.

    Args:
        name (str):
        body (PutMeterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MeterOut]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: PutMeterBody,
) -> ErrorBody | MeterOut | None:
    """Declare (or change) a meter: a non-spendable counter per member, fed by rules'
    `add_to_meter` effects, with a window (`lifetime`, `rolling_days`, `calendar_month`,
    `calendar_quarter`, `calendar_year`) and a kind (`sum`, `distinct` keys, or `weighted` sum of
    other meters). Values are computed from the entries, so a change applies to the past too.

    Args:
        name (str):
        body (PutMeterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MeterOut
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            body=body,
        )
    ).parsed
