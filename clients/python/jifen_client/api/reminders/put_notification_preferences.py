from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.preferences_in import PreferencesIn
from ...models.preferences_out import PreferencesOut
from ...types import Response


def _get_kwargs(
    external_id: str,
    *,
    body: PreferencesIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/members/{external_id}/notification-preferences".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PreferencesOut | None:
    if response.status_code == 200:
        response_200 = PreferencesOut.from_dict(response.json())

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
) -> Response[ErrorBody | PreferencesOut]:
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
    body: PreferencesIn,
) -> Response[ErrorBody | PreferencesOut]:
    """Turn reminder kinds on or off for a member, per channel. Each change is saved and appended
    to the member's consent records (purpose `reminders.<kind>`, with the channel, the time and
    the source); a choice that changes nothing writes nothing, so a retry is harmless.

    Args:
        external_id (str):
        body (PreferencesIn): Choices to apply; the pairs left out keep their value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PreferencesOut]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PreferencesIn,
) -> ErrorBody | PreferencesOut | None:
    """Turn reminder kinds on or off for a member, per channel. Each change is saved and appended
    to the member's consent records (purpose `reminders.<kind>`, with the channel, the time and
    the source); a choice that changes nothing writes nothing, so a retry is harmless.

    Args:
        external_id (str):
        body (PreferencesIn): Choices to apply; the pairs left out keep their value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PreferencesOut
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PreferencesIn,
) -> Response[ErrorBody | PreferencesOut]:
    """Turn reminder kinds on or off for a member, per channel. Each change is saved and appended
    to the member's consent records (purpose `reminders.<kind>`, with the channel, the time and
    the source); a choice that changes nothing writes nothing, so a retry is harmless.

    Args:
        external_id (str):
        body (PreferencesIn): Choices to apply; the pairs left out keep their value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PreferencesOut]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PreferencesIn,
) -> ErrorBody | PreferencesOut | None:
    """Turn reminder kinds on or off for a member, per channel. Each change is saved and appended
    to the member's consent records (purpose `reminders.<kind>`, with the channel, the time and
    the source); a choice that changes nothing writes nothing, so a retry is harmless.

    Args:
        external_id (str):
        body (PreferencesIn): Choices to apply; the pairs left out keep their value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PreferencesOut
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
