from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_audit_entry_out import PageAuditEntryOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    actor: str | Unset = UNSET,
    object_kind: str | Unset = UNSET,
    object_id: str | Unset = UNSET,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    after: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["actor"] = actor

    params["object_kind"] = object_kind

    params["object_id"] = object_id

    params["since"] = since

    params["until"] = until

    params["limit"] = limit

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit-log",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageAuditEntryOut | None:
    if response.status_code == 200:
        response_200 = PageAuditEntryOut.from_dict(response.json())

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
) -> Response[ErrorBody | PageAuditEntryOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    actor: str | Unset = UNSET,
    object_kind: str | Unset = UNSET,
    object_id: str | Unset = UNSET,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[ErrorBody | PageAuditEntryOut]:
    """The program's audit log, newest first: who (an API key or a console user), when, what, and
    the object's state before and after. Failed writes, idempotent replays and members' own
    activity (events, redemptions, holds, checkouts, gifts) are not in it. `object_id` without
    `object_kind` is refused (`invalid_request`), as are instants that are not RFC 3339.

    Args:
        actor (str | Unset):
        object_kind (str | Unset):
        object_id (str | Unset):
        since (str | Unset):
        until (str | Unset):
        limit (int | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAuditEntryOut]
    """

    kwargs = _get_kwargs(
        actor=actor,
        object_kind=object_kind,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    actor: str | Unset = UNSET,
    object_kind: str | Unset = UNSET,
    object_id: str | Unset = UNSET,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    after: str | Unset = UNSET,
) -> ErrorBody | PageAuditEntryOut | None:
    """The program's audit log, newest first: who (an API key or a console user), when, what, and
    the object's state before and after. Failed writes, idempotent replays and members' own
    activity (events, redemptions, holds, checkouts, gifts) are not in it. `object_id` without
    `object_kind` is refused (`invalid_request`), as are instants that are not RFC 3339.

    Args:
        actor (str | Unset):
        object_kind (str | Unset):
        object_id (str | Unset):
        since (str | Unset):
        until (str | Unset):
        limit (int | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAuditEntryOut
    """

    return sync_detailed(
        client=client,
        actor=actor,
        object_kind=object_kind,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        after=after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    actor: str | Unset = UNSET,
    object_kind: str | Unset = UNSET,
    object_id: str | Unset = UNSET,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[ErrorBody | PageAuditEntryOut]:
    """The program's audit log, newest first: who (an API key or a console user), when, what, and
    the object's state before and after. Failed writes, idempotent replays and members' own
    activity (events, redemptions, holds, checkouts, gifts) are not in it. `object_id` without
    `object_kind` is refused (`invalid_request`), as are instants that are not RFC 3339.

    Args:
        actor (str | Unset):
        object_kind (str | Unset):
        object_id (str | Unset):
        since (str | Unset):
        until (str | Unset):
        limit (int | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAuditEntryOut]
    """

    kwargs = _get_kwargs(
        actor=actor,
        object_kind=object_kind,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    actor: str | Unset = UNSET,
    object_kind: str | Unset = UNSET,
    object_id: str | Unset = UNSET,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    after: str | Unset = UNSET,
) -> ErrorBody | PageAuditEntryOut | None:
    """The program's audit log, newest first: who (an API key or a console user), when, what, and
    the object's state before and after. Failed writes, idempotent replays and members' own
    activity (events, redemptions, holds, checkouts, gifts) are not in it. `object_id` without
    `object_kind` is refused (`invalid_request`), as are instants that are not RFC 3339.

    Args:
        actor (str | Unset):
        object_kind (str | Unset):
        object_id (str | Unset):
        since (str | Unset):
        until (str | Unset):
        limit (int | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAuditEntryOut
    """

    return (
        await asyncio_detailed(
            client=client,
            actor=actor,
            object_kind=object_kind,
            object_id=object_id,
            since=since,
            until=until,
            limit=limit,
            after=after,
        )
    ).parsed
