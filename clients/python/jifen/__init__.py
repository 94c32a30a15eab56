"""The jifen client for Python: the typed operations and models of ``jifen_client`` (generated
from docs/openapi.json by openapi-python-client), with what makes the API feel native — answers
returned directly, errors raised as :class:`JifenError`, writes retried under the same id, and
lists walked page by page.

    from jifen import Jifen, JifenError, new_id, with_idempotent_retry
    from jifen_client.api.points import get_balance

    jifen = Jifen("http://127.0.0.1:8080", "jf_sk_…")
    balance = jifen.call(get_balance, external_id="alice")
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from types import ModuleType
from typing import Any, TypeVar

import httpx

from jifen_client import AuthenticatedClient
from jifen_client.api.events import post_events
from jifen_client.models import BatchResult, EventBatch, EventIn, EventResult
from jifen_client.types import UNSET, Response

__all__ = [
    "Jifen",
    "JifenError",
    "is_jifen_error",
    "is_retryable",
    "new_id",
    "with_idempotent_retry",
]

T = TypeVar("T")


class JifenError(Exception):
    """An error answer of jifen: its stable ``code``, the ``field`` at fault, and where it is
    documented (``doc``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        doc: str = "",
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        #: The HTTP status.
        self.status = status
        #: Stable, machine-readable code: ``insufficient_points``, ``member_not_found``…
        self.code = code
        #: What went wrong, for people.
        self.message = message
        #: The request field at fault, as a path (``events[2].attributes.amount``), or None.
        self.field = field
        #: Where the code is documented.
        self.doc = doc
        #: The ``x-request-id`` of the answer, which finds the request in the server's logs.
        self.request_id = request_id
        #: Seconds to wait before sending again (``Retry-After`` of a 429 or 503), or None.
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"JifenError(status={self.status}, code={self.code!r}, field={self.field!r}, message={self.message!r})"

    @classmethod
    def from_response(cls, status: int, content: bytes, headers: Any) -> JifenError:
        """The error of an answer that is not a success; a body that is not jifen's is
        ``http_<status>``."""
        import json

        try:
            detail = json.loads(content)["error"]
            code = str(detail["code"])
        except (ValueError, KeyError, TypeError):
            detail, code = {}, f"http_{status}"
        retry_after = headers.get("retry-after") if headers is not None else None
        try:
            retry_seconds = float(retry_after) if retry_after is not None else None
        except ValueError:
            retry_seconds = None
        return cls(
            status=status,
            code=code,
            message=str(detail.get("message", f"{status} {HTTPStatus(status).phrase}")),
            field=detail.get("field"),
            doc=str(detail.get("doc", "")),
            request_id=headers.get("x-request-id") if headers is not None else None,
            retry_after=retry_seconds,
        )


def is_jifen_error(error: BaseException, code: str | None = None) -> bool:
    """Whether ``error`` is an error answer of jifen, of the given code when one is given."""
    return isinstance(error, JifenError) and (code is None or error.code == code)


def is_retryable(error: BaseException) -> bool:
    """Whether sending the same write again may succeed: the network failed (an
    ``httpx.TransportError``), or jifen answered 429 or 5xx. Any other error answer is final."""
    if isinstance(error, JifenError):
        return error.status == 429 or error.status >= 500
    return isinstance(error, httpx.TransportError)


def new_id(prefix: str = "req") -> str:
    """A new client-chosen id for a write: ``prefix-<uuid>``."""
    return f"{prefix}-{uuid.uuid4()}"


def with_idempotent_retry(
    fn: Callable[[str], T],
    *,
    id: str | None = None,
    prefix: str = "req",
    attempts: int = 5,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    on_retry: Callable[[int, BaseException, float, str], None] | None = None,
) -> T:
    """Runs a write with one client-chosen id, sending it again under the same id when the
    network fails or jifen answers 429 or 5xx, with exponential backoff (and ``Retry-After``
    when given). jifen answers a repeated id with the first answer and changes nothing, so the
    write happens once whatever the number of attempts.

        out = with_idempotent_retry(lambda id: jifen.call(
            post_redemption, external_id="alice", body=RedemptionIn(id=id, points=50)))

    ``on_retry(attempt, error, delay, id)`` is called before each new attempt.
    """
    write_id = id if id is not None else new_id(prefix)
    attempt = 1
    while True:
        try:
            return fn(write_id)
        except Exception as error:  # noqa: BLE001 - which errors to retry is decided below
            if attempt >= max(1, attempts) or not is_retryable(error):
                raise
            backoff = min(max_delay, base_delay * 2 ** (attempt - 1))
            told = error.retry_after if isinstance(error, JifenError) and error.retry_after else 0.0
            # Retry-After is honoured in full: sending sooner would only be refused again.
            delay = max(told, min(max_delay, backoff / 2 + random.random() * backoff / 2))
            if on_retry is not None:
                on_retry(attempt, error, delay, write_id)
            time.sleep(delay)
            attempt += 1


def _operation(endpoint: ModuleType | Callable[..., Response[Any]]) -> Callable[..., Response[Any]]:
    if isinstance(endpoint, ModuleType):
        return endpoint.sync_detailed
    return endpoint


class Jifen:
    """A client of one jifen program.

    ``call`` runs an operation of ``jifen_client.api`` (its module, or its ``sync_detailed``
    function) and answers the parsed success body, raising :class:`JifenError` for an error
    answer; ``paginate`` yields every item of a list. ``client`` is the generated
    ``AuthenticatedClient``, for the generated functions' own style.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        self.client = AuthenticatedClient(
            base_url=base_url,
            token=api_key,
            timeout=httpx.Timeout(timeout),
            httpx_args=httpx_args or {},
        )

    def call(self, endpoint: ModuleType | Callable[..., Response[Any]], /, **kwargs: Any) -> Any:
        """The success body of an operation, e.g. ``call(get_balance, external_id="alice")``."""
        response = _operation(endpoint)(client=self.client, **kwargs)
        if int(response.status_code) >= 400:
            raise JifenError.from_response(int(response.status_code), response.content, response.headers)
        return response.parsed

    def paginate(self, endpoint: ModuleType | Callable[..., Response[Any]], /, **kwargs: Any) -> Iterator[Any]:
        """Every item of a list, page after page: each page's ``next`` is sent as ``after`` for
        the following one, until a page has no ``next``."""
        while True:
            page = self.call(endpoint, **kwargs)
            yield from page.data
            following = getattr(page, "next_", UNSET)
            if not following:
                return
            kwargs["after"] = following

    def send_event(self, event: EventIn) -> EventResult:
        """Records one event (``POST /v1/events``) and answers what it caused; a refusal raises
        :class:`JifenError`."""
        answer = self.call(post_events, body=event)
        if not isinstance(answer, EventResult):
            raise TypeError("jifen answered one event with a batch's results")
        return answer

    def send_events(self, events: list[EventIn]) -> list[EventResult]:
        """Records up to 1,000 events at once and answers a result per event, in order; an
        event that fails has ``status == "failed"`` and its ``error``, and does not stop the
        others."""
        answer = self.call(post_events, body=EventBatch(events=events))
        if not isinstance(answer, BatchResult):
            raise TypeError("jifen answered a batch of events without results")
        return answer.results

    def close(self) -> None:
        """Closes the connections."""
        self.client.get_httpx_client().close()

    def __enter__(self) -> Jifen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
