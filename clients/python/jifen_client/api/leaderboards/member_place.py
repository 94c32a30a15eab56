from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.member_place_out import MemberPlaceOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    external_id: str,
    *,
    period: str | Unset = UNSET,
    neighbours: int | Unset = UNSET,
    target: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["period"] = period

    params["neighbours"] = neighbours

    params["target"] = target

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/leaderboards/{id}/members/{external_id}".format(
            id=quote(str(id), safe=""),
            external_id=quote(str(external_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | MemberPlaceOut | None:
    if response.status_code == 200:
        response_200 = MemberPlaceOut.from_dict(response.json())

        return response_200

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
) -> Response[ErrorBody | MemberPlaceOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    period: str | Unset = UNSET,
    neighbours: int | Unset = UNSET,
    target: int | Unset = UNSET,
) -> Response[ErrorBody | MemberPlaceOut]:
    """A member's exact rank and score among every ranked member, the members just above and
    below, and what reaching a target rank takes.

    Args:
        id (str):
        external_id (str):
        period (str | Unset):
        neighbours (int | Unset):
        target (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MemberPlaceOut]
    """

    kwargs = _get_kwargs(
        id=id,
        external_id=external_id,
        period=period,
        neighbours=neighbours,
        target=target,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    period: str | Unset = UNSET,
    neighbours: int | Unset = UNSET,
    target: int | Unset = UNSET,
) -> ErrorBody | MemberPlaceOut | None:
    """A member's exact rank and score among every ranked member, the members just above and
    below, and what reaching a target rank takes.

    Args:
        id (str):
        external_id (str):
        period (str | Unset):
        neighbours (int | Unset):
        target (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MemberPlaceOut
    """

    return sync_detailed(
        id=id,
        external_id=external_id,
        client=client,
        period=period,
        neighbours=neighbours,
        target=target,
    ).parsed


async def asyncio_detailed(
    id: str,
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    period: str | Unset = UNSET,
    neighbours: int | Unset = UNSET,
    target: int | Unset = UNSET,
) -> Response[ErrorBody | MemberPlaceOut]:
    """A member's exact rank and score among every ranked member, the members just above and
    below, and what reaching a target rank takes.

    Args:
        id (str):
        external_id (str):
        period (str | Unset):
        neighbours (int | Unset):
        target (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MemberPlaceOut]
    """

    kwargs = _get_kwargs(
        id=id,
        external_id=external_id,
        period=period,
        neighbours=neighbours,
        target=target,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    period: str | Unset = UNSET,
    neighbours: int | Unset = UNSET,
    target: int | Unset = UNSET,
) -> ErrorBody | MemberPlaceOut | None:
    """A member's exact rank and score among every ranked member, the members just above and
    below, and what reaching a target rank takes.

    Args:
        id (str):
        external_id (str):
        period (str | Unset):
        neighbours (int | Unset):
        target (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MemberPlaceOut
    """

    return (
        await asyncio_detailed(
            id=id,
            external_id=external_id,
            client=client,
            period=period,
            neighbours=neighbours,
            target=target,
        )
    ).parsed
