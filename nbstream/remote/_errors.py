"""The errors :mod:`nbstream.remote` raises, and how the SDK's failures become them.

Hierarchy::

    RemoteError                         every failure talking to a LangGraph Server
    ├── ServerUnreachableError (also a ConnectionError)
    │                                   nothing answers at the client's URL (server down, wrong port)
    ├── AssistantNotFoundError (also a LookupError)
    │                                   no assistant or graph of that id on the server
    ├── RemoteRequestError              the server refused the request (thread not found, bad input...)
    ├── StreamBrokenError (also a ConnectionError)
    │                                   the run's event stream broke before the run ended
    └── RemoteRunError                  the run failed on the server (a node raised); never raised by
                                        ``stream``, which yields the SDK's ``error`` part as the SDK
                                        does: it is the error a view shows

Each message names the server's URL, the assistant, thread or run, and what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RemoteError",
    "ServerUnreachableError",
    "AssistantNotFoundError",
    "RemoteRequestError",
    "StreamBrokenError",
    "RemoteRunError",
    "translate",
]


class RemoteError(Exception):
    """A failure talking to a LangGraph Server."""


class ServerUnreachableError(RemoteError, ConnectionError):
    """Nothing answers at the client's URL."""


class AssistantNotFoundError(RemoteError, LookupError):
    """The server has no assistant (or graph) of that id."""


class RemoteRequestError(RemoteError):
    """The server refused the request; ``status`` is its HTTP status, ``detail`` what it said."""

    def __init__(self, message: str, status: int | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class StreamBrokenError(RemoteError, ConnectionError):
    """The run's event stream broke before the run ended.

    ``run_id`` and ``last_event_id`` (``None`` unless the run was started with
    ``stream_resumable=True``) are what ``join_stream`` needs to continue it.
    """

    def __init__(self, message: str, run_id: str | None = None, last_event_id: str | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.last_event_id = last_event_id


class RemoteRunError(RemoteError):
    """The run failed on the server: ``error`` is the exception's type name there, ``detail`` its text."""

    def __init__(self, error: str, detail: str, where: str = "") -> None:
        super().__init__(f"{error}: {detail}" + (f" ({where})" if where else ""))
        self.error = error
        self.detail = detail


def translate(error: BaseException, url: str, assistant_id: str | None, doing: str) -> BaseException:
    """The typed error for an SDK or transport failure while ``doing`` something; others unchanged."""
    import httpx
    from langgraph_sdk.errors import APIStatusError

    if isinstance(error, RemoteError):
        return error
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
        return ServerUnreachableError(
            f"no LangGraph Server answers at {url} ({doing}): {error}. Start one (`langgraph dev`, or "
            f"nbstream.remote.dev_server(...)) or check the client's url."
        )
    if isinstance(error, APIStatusError):
        status = error.response.status_code
        body = getattr(error, "body", None)
        detail = body.get("detail", body) if isinstance(body, dict) else (body or str(error))
        text = str(detail)
        # the graph read names a missing assistant plainly; a run says "Invalid assistant" (422), but
        # its 404 ("Thread or assistant not found") may be either, so it stays a request error
        reading_graph = doing.startswith("reading the graph")
        if (
            status in (404, 422)
            and assistant_id is not None
            and (reading_graph or "invalid assistant" in text.lower())
        ):
            return AssistantNotFoundError(
                f"the server at {url} has no assistant {assistant_id!r} ({doing}): {text}. Pass a graph "
                f"name from its langgraph.json or an assistant id from client.assistants.search()."
            )
        return RemoteRequestError(
            f"the server at {url} refused {doing} (HTTP {status}): {text}", status, detail
        )
    return error
