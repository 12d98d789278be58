"""``stream``/``astream`` and ``join_stream``/``ajoin_stream``: a server run, watched by observers.

Both ask the SDK for the caller's arguments plus what the views need (:mod:`._parts`), give the
caller the SDK's parts its own arguments would have given, unchanged, and feed every part to a
:class:`~._watch.RemoteWatch`. The sync and async drivers share :class:`_Session`; they differ
only in how they iterate and call the client. A run without observers is the SDK's call with
nothing added.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from nbstream.bus import Observer, as_handler
from nbstream.events import Event, ThreadControl
from nbstream.remote._errors import StreamBrokenError, translate
from nbstream.remote._outline import GraphOutline, outline_from_drawing
from nbstream.remote._parts import CallerParts, as_v2
from nbstream.remote._watch import LIVE, RemoteWatch

__all__ = ["stream", "astream", "join_stream", "ajoin_stream", "Observers"]

Observers = Iterable[Observer | Callable[[Event], None]]


def _url(client: Any) -> str:
    http = getattr(getattr(client, "http", None), "client", None)
    return str(getattr(http, "base_url", "?")).rstrip("/")


def _check_client(client: Any, want_async: bool, name: str) -> None:
    from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

    if want_async and not isinstance(client, LangGraphClient):
        other = "stream" if isinstance(client, SyncLangGraphClient) else None
        raise TypeError(
            f"nbstream.remote.{name} takes the async client (langgraph_sdk.get_client); got "
            f"{type(client).__qualname__}" + (f": use nbstream.remote.{other} with it" if other else "")
        )
    if not want_async and not isinstance(client, SyncLangGraphClient):
        other = f"a{name}" if isinstance(client, LangGraphClient) else None
        raise TypeError(
            f"nbstream.remote.{name} takes the sync client (langgraph_sdk.get_sync_client); got "
            f"{type(client).__qualname__}" + (f": use nbstream.remote.{other} with it" if other else "")
        )


class _Session:
    """One call of stream/join: the caller's shape, the SDK arguments, the watch (if observed)."""

    def __init__(
        self,
        client: Any,
        thread_id: str | None,
        assistant_id: str | None,
        observers: Observers,
        caller: CallerParts,
        doing: str,
    ) -> None:
        self.client = client
        self.url = _url(client)
        self.thread_id = thread_id
        self.assistant_id = assistant_id
        self.observers = list(observers)
        self.caller = caller
        self.doing = doing
        self.watch: RemoteWatch | None = None
        self.parts = 0

    def graph_doing(self) -> str:
        return f"reading the graph of assistant {self.assistant_id!r}"

    def make_watch(self, drawing: dict[str, Any], input: Any, command: Any, kwargs: dict[str, Any]) -> None:
        """The watch of this run; ``command``: the run's ``command=`` (a resume names its answer)."""
        outline = outline_from_drawing(str(self.assistant_id), drawing)
        self.watch = self._new_watch(outline, kwargs)
        self.watch.deep = self.caller.deep
        self.watch.start(command if input is None else input, command)

    def _new_watch(self, outline: GraphOutline, kwargs: dict[str, Any]) -> RemoteWatch:
        from nbstream.remote._thread import RemoteThread

        client, thread_id, assistant_id = self.client, self.thread_id, self.assistant_id
        observers = self.observers

        def thread(checkpoint: dict[str, Any] | None) -> ThreadControl | None:
            if thread_id is None or assistant_id is None:
                return None
            return RemoteThread(client, thread_id, assistant_id, observers, kwargs)

        return RemoteWatch(outline, [as_handler(o) for o in observers], thread, observers)

    def continued(self, run_id: str) -> bool:
        """Continue the view of a run this process already watches (a join after a break)."""
        known = LIVE.get(run_id)
        if known is None:
            return False
        for observer in self.observers:
            if all(observer is not mine for mine in known.observers):
                known.observers.append(observer)
                known.handlers.append(as_handler(observer))
        self.watch = known
        known.rejoined()
        return True

    def part(self, part: Any) -> Any:
        """Feed one SDK part to the watch; the caller's part (or None when its call has none)."""
        self.parts += 1
        if self.watch is not None:
            self.watch.feed(part.event, part.data, part.id)
        mode, _, ns = part.event.partition("|")
        if not self.caller.wants(mode, tuple(ns.split("|")) if ns else ()):
            return None
        if self.caller.v2:
            return as_v2(part.event, part.data)
        return part

    def failed(self, error: BaseException) -> BaseException:
        """The typed error for a failed call, after the view was told."""
        typed = translate(error, self.url, self.assistant_id, self.doing)
        watch = self.watch
        if isinstance(typed, StreamBrokenError) or (self.parts and _is_transport(error)):
            run_id = watch.remote_run_id if watch is not None else None
            last = watch.last_event_id if watch is not None else None
            typed = StreamBrokenError(
                f"the event stream of run {run_id} (thread {self.thread_id}) from {self.url} broke after "
                f"{self.parts} parts: {error!r}. The view keeps what it had; continue it with "
                f"nbstream.remote.join_stream(client, {self.thread_id!r}, {run_id!r}, "
                f"last_event_id={last!r}, observers=...)",
                run_id,
                last,
            )
            if watch is not None:
                watch.broke(typed)
            return typed
        if watch is not None:
            cancelled = not isinstance(error, Exception) or _is_cancel(error)
            watch.finish(None if cancelled else typed, cancelled)
        return typed

    def ended(self) -> None:
        if self.watch is not None:
            self.watch.finish()


def _is_transport(error: BaseException) -> bool:
    import httpx

    return isinstance(error, httpx.TransportError)


def _is_cancel(error: BaseException) -> bool:
    import asyncio

    return isinstance(error, (asyncio.CancelledError, GeneratorExit, KeyboardInterrupt))


def _run_args(
    session: _Session, input: Any, command: Any, stream_subgraphs: bool, kwargs: dict[str, Any]
) -> dict[str, Any]:
    args = {**kwargs, "input": input, "command": command}
    if session.observers:
        args["stream_mode"] = session.caller.request_modes()
        args["stream_subgraphs"] = session.caller.deep
    else:
        args["stream_mode"] = session.caller.stream_mode
        args["stream_subgraphs"] = stream_subgraphs
    return args


def stream(
    client: Any,
    thread_id: str | None,
    assistant_id: str,
    *,
    input: Any = None,
    command: Any = None,
    stream_mode: str | list[str] = "values",
    stream_subgraphs: bool = False,
    observers: Observers = (),
    version: str = "v1",
    **sdk_kwargs: Any,
) -> Iterator[Any]:
    """``client.runs.stream(...)``, part for part, with ``observers`` watching the run.

    ``client`` is the SDK's sync client (``langgraph_sdk.get_sync_client``); the other arguments
    are ``runs.stream``'s own. Observers get nbstream's events in the caller's thread, as for a
    local run; an interrupt shows in a ``RunView``'s waiting panel, whose answer resumes the
    thread with ``command={"resume": ...}``.
    """
    _check_client(client, False, "stream")
    caller = CallerParts(stream_mode, stream_subgraphs, version)
    session = _Session(client, thread_id, assistant_id, observers, caller, f"a run of {assistant_id!r}")
    args = _run_args(session, input, command, stream_subgraphs, sdk_kwargs)
    if session.observers:
        try:
            drawing = client.assistants.get_graph(assistant_id, xray=True)
        except Exception as error:
            raise translate(error, session.url, assistant_id, session.graph_doing()) from error
        session.make_watch(drawing, input, command, _resume_kwargs(sdk_kwargs))
    try:
        for part in client.runs.stream(thread_id, assistant_id, **args):
            chunk = session.part(part)
            if chunk is not None:
                yield chunk
    except BaseException as error:
        typed = session.failed(error)
        if typed is error:
            raise
        raise typed from error
    session.ended()


async def astream(
    client: Any,
    thread_id: str | None,
    assistant_id: str,
    *,
    input: Any = None,
    command: Any = None,
    stream_mode: str | list[str] = "values",
    stream_subgraphs: bool = False,
    observers: Observers = (),
    version: str = "v1",
    **sdk_kwargs: Any,
) -> AsyncIterator[Any]:
    """The ``async for`` twin of :func:`stream`, for the async client (``langgraph_sdk.get_client``)."""
    _check_client(client, True, "astream")
    caller = CallerParts(stream_mode, stream_subgraphs, version)
    session = _Session(client, thread_id, assistant_id, observers, caller, f"a run of {assistant_id!r}")
    args = _run_args(session, input, command, stream_subgraphs, sdk_kwargs)
    if session.observers:
        try:
            drawing = await client.assistants.get_graph(assistant_id, xray=True)
        except Exception as error:
            raise translate(error, session.url, assistant_id, session.graph_doing()) from error
        session.make_watch(drawing, input, command, _resume_kwargs(sdk_kwargs))
    try:
        async for part in client.runs.stream(thread_id, assistant_id, **args):
            chunk = session.part(part)
            if chunk is not None:
                yield chunk
    except BaseException as error:
        typed = session.failed(error)
        if typed is error:
            raise
        raise typed from error
    session.ended()


def _resume_kwargs(sdk_kwargs: dict[str, Any]) -> dict[str, Any]:
    """What a resume from the view passes on: the run's settings, not its one-off callbacks or ids."""
    dropped = {"on_run_created", "checkpoint", "checkpoint_id", "if_not_exists", "after_seconds"}
    return {key: value for key, value in sdk_kwargs.items() if key not in dropped}


def join_stream(
    client: Any,
    thread_id: str,
    run_id: str,
    *,
    stream_mode: str | list[str] | None = None,
    last_event_id: str | None = None,
    observers: Observers = (),
    **sdk_kwargs: Any,
) -> Iterator[Any]:
    """``client.runs.join_stream(...)``, part for part, with ``observers`` watching the run.

    A run this process watched before (its stream broke) continues in the same view, without the
    parts the view already has; another run (started elsewhere, ``runs.create``) gets a new view.
    Pass ``last_event_id`` (``StreamBrokenError.last_event_id``) to get the parts sent while
    disconnected: the server keeps them for runs started with ``stream_resumable=True``.
    """
    _check_client(client, False, "join_stream")
    caller = CallerParts(stream_mode, True, "v1")
    session = _Session(client, thread_id, None, observers, caller, f"joining run {run_id!r}")
    if session.observers and not session.continued(run_id):
        try:
            run = client.runs.get(thread_id, run_id)
            session.assistant_id = str(run["assistant_id"])
            drawing = client.assistants.get_graph(session.assistant_id, xray=True)
        except Exception as error:
            raise translate(error, session.url, session.assistant_id, session.doing) from error
        session.make_watch(drawing, None, None, {})
    join_mode = None if session.observers else stream_mode
    try:
        for part in client.runs.join_stream(
            thread_id, run_id, stream_mode=join_mode, last_event_id=last_event_id, **sdk_kwargs
        ):
            chunk = session.part(part)
            if chunk is not None:
                yield chunk
    except BaseException as error:
        typed = session.failed(error)
        if typed is error:
            raise
        raise typed from error
    session.ended()


async def ajoin_stream(
    client: Any,
    thread_id: str,
    run_id: str,
    *,
    stream_mode: str | list[str] | None = None,
    last_event_id: str | None = None,
    observers: Observers = (),
    **sdk_kwargs: Any,
) -> AsyncIterator[Any]:
    """The ``async for`` twin of :func:`join_stream`, for the async client."""
    _check_client(client, True, "ajoin_stream")
    caller = CallerParts(stream_mode, True, "v1")
    session = _Session(client, thread_id, None, observers, caller, f"joining run {run_id!r}")
    if session.observers and not session.continued(run_id):
        try:
            run = await client.runs.get(thread_id, run_id)
            session.assistant_id = str(run["assistant_id"])
            drawing = await client.assistants.get_graph(session.assistant_id, xray=True)
        except Exception as error:
            raise translate(error, session.url, session.assistant_id, session.doing) from error
        session.make_watch(drawing, None, None, {})
    join_mode = None if session.observers else stream_mode
    try:
        async for part in client.runs.join_stream(
            thread_id, run_id, stream_mode=join_mode, last_event_id=last_event_id, **sdk_kwargs
        ):
            chunk = session.part(part)
            if chunk is not None:
                yield chunk
    except BaseException as error:
        typed = session.failed(error)
        if typed is error:
            raise
        raise typed from error
    session.ended()
