from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.offers_out import OffersOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    external_id: str,
    *,
    lang: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["lang"] = lang

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/members/{external_id}/offers".format(
            external_id=quote(str(external_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | OffersOut | None:
    if response.status_code == 200:
        response_200 = OffersOut.from_dict(response.json())

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
) -> Response[ErrorBody | OffersOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    lang: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | OffersOut]:
    """A member's personal offers, best first: the catalog rewards they can redeem now or are
    saving for, and the vouchers in their wallet they can use, each with a score, the parts it
    came from (category affinity from their order lines, segment targeting, tier, points,
    the offer's cost to the brand, expiry) and the reasons to show ("常买茶饮", "距离兑换还差
    20 积分"). See docs/offers.md.

    Args:
        external_id (str):
        lang (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | OffersOut]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        lang=lang,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    lang: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | OffersOut | None:
    """A member's personal offers, best first: the catalog rewards they can redeem now or are
    saving for, and the vouchers in their wallet they can use, each with a score, the parts it
    came from (category affinity from their order lines, segment targeting, tier, points,
    the offer's cost to the brand, expiry) and the reasons to show ("常买茶饮", "距离兑换还差
    20 积分"). See docs/offers.md.

    Args:
        external_id (str):
        lang (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | OffersOut
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        lang=lang,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    lang: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | OffersOut]:
    """A member's personal offers, best first: the catalog rewards they can redeem now or are
    saving for, and the vouchers in their wallet they can use, each with a score, the parts it
    came from (category affinity from their order lines, segment targeting, tier, points,
    the offer's cost to the brand, expiry) and the reasons to show ("常买茶饮", "距离兑换还差
    20 积分"). See docs/offers.md.

    Args:
        external_id (str):
        lang (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | OffersOut]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        lang=lang,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    lang: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | OffersOut | None:
    """A member's personal offers, best first: the catalog rewards they can redeem now or are
    saving for, and the vouchers in their wallet they can use, each with a score, the parts it
    came from (category affinity from their order lines, segment targeting, tier, points,
    the offer's cost to the brand, expiry) and the reasons to show ("常买茶饮", "距离兑换还差
    20 积分"). See docs/offers.md.

    Args:
        external_id (str):
        lang (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | OffersOut
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            lang=lang,
            limit=limit,
        )
    ).parsed
