from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.put_offer_settings_body import PutOfferSettingsBody
from ...models.put_offer_settings_response_200 import PutOfferSettingsResponse200
from ...types import Response


def _get_kwargs(
    *,
    body: PutOfferSettingsBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/offers/settings",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PutOfferSettingsResponse200 | None:
    if response.status_code == 200:
        response_200 = PutOfferSettingsResponse200.from_dict(response.json())

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
) -> Response[ErrorBody | PutOfferSettingsResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PutOfferSettingsBody,
) -> Response[ErrorBody | PutOfferSettingsResponse200]:
    """Save the program's offer settings: the weight of each part of the score (`affinity`,
    `segment`, `tier`, `ready`, `near`, `thrift`, `expiring`; 0–1000 each), points added to
    some rewards' scores (`boosts`, reward id → -1000 to 1000) and rewards never offered
    (`hidden`). A part left out takes its default.

    Args:
        body (PutOfferSettingsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PutOfferSettingsResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: PutOfferSettingsBody,
) -> ErrorBody | PutOfferSettingsResponse200 | None:
    """Save the program's offer settings: the weight of each part of the score (`affinity`,
    `segment`, `tier`, `ready`, `near`, `thrift`, `expiring`; 0–1000 each), points added to
    some rewards' scores (`boosts`, reward id → -1000 to 1000) and rewards never offered
    (`hidden`). A part left out takes its default.

    Args:
        body (PutOfferSettingsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PutOfferSettingsResponse200
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PutOfferSettingsBody,
) -> Response[ErrorBody | PutOfferSettingsResponse200]:
    """Save the program's offer settings: the weight of each part of the score (`affinity`,
    `segment`, `tier`, `ready`, `near`, `thrift`, `expiring`; 0–1000 each), points added to
    some rewards' scores (`boosts`, reward id → -1000 to 1000) and rewards never offered
    (`hidden`). A part left out takes its default.

    Args:
        body (PutOfferSettingsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PutOfferSettingsResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: PutOfferSettingsBody,
) -> ErrorBody | PutOfferSettingsResponse200 | None:
    """Save the program's offer settings: the weight of each part of the score (`affinity`,
    `segment`, `tier`, `ready`, `near`, `thrift`, `expiring`; 0–1000 each), points added to
    some rewards' scores (`boosts`, reward id → -1000 to 1000) and rewards never offered
    (`hidden`). A part left out takes its default.

    Args:
        body (PutOfferSettingsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PutOfferSettingsResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
