"""Watch a LangGraph graph run in nbstream's views: ``stream``/``astream`` that also feed observers.

::

    import nbstream.langgraph as nblg
    from nbstream.widgets import RunView

    for chunk in nblg.stream(lg_graph, inputs, config, stream_mode="updates", observers=[RunView()]):
        ...  # exactly what lg_graph.stream(inputs, config, stream_mode="updates") yields

The wrapper runs the LangGraph graph itself (nbstream's runtime plays no part), asking it for the
raw parts the views need (``values``, ``updates``, ``tasks`` and, with a checkpointer,
``checkpoints``; ``custom``, ``messages`` and every subgraph's parts when the graph can make them,
see :mod:`nbstream.langgraph._probe`), turns them into nbstream's events for the observers
(:mod:`nbstream.langgraph._watch`) and gives the caller the chunks its own arguments ask for
(:mod:`nbstream.langgraph._shape`). When ``messages`` is not asked for, LangGraph's own messages
callback handler, given to the run, tells the views what the models said. One exception to
"every subgraph": when the caller streams ``messages`` without ``subgraphs=True``, LangGraph's
messages differ with the flag (a message a subgraph streamed is not repeated by its parent), so
the run is watched at the root only. ``watch="all"`` asks for every mode, subgraphs included,
whatever the graph looks like.

Needs the optional extra: ``pip install nbstream[langgraph]``. ``import nbstream`` never imports
LangGraph; this module does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

try:
    import langgraph.pregel  # noqa: F401
except ImportError as error:  # pragma: no cover - the extra is installed where tests run
    raise ImportError("nbstream.langgraph needs LangGraph: pip install nbstream[langgraph]") from error

from nbstream._callbacks import plus_handler
from nbstream.bus import Observer, as_handler
from nbstream.events import Event, ThreadControl
from nbstream.langgraph._calls import HeardMessages, RunCallbacks
from nbstream.langgraph._probe import GraphNeeds, needs_of
from nbstream.langgraph._shape import SKIP, VIEW_MODES, CallerShape
from nbstream.langgraph._watch import Watch

__all__ = ["stream", "astream", "invoke", "ainvoke", "is_langgraph_graph", "LangGraphThread"]


def is_langgraph_graph(graph: Any) -> bool:
    """Whether ``graph`` is a compiled LangGraph graph (a ``Pregel``)."""
    from langgraph.pregel import Pregel

    return isinstance(graph, Pregel)


class LangGraphThread:
    """The :class:`~nbstream.events.ThreadControl` of a paused LangGraph thread: answers run it on.

    Each action runs the thread through :func:`stream` with the observers of the run that paused,
    so the view that shows the pause shows the resumed run too.
    """

    def __init__(
        self, graph: Any, config: dict[str, Any], observers: list[Any], kwargs: dict[str, Any]
    ) -> None:
        self.graph = graph
        self.config = config
        self.observers = observers
        self._kwargs = kwargs
        self.thread_id = str(config.get("configurable", {}).get("thread_id", ""))

    def resume(self, value: Any) -> None:
        """Resume the thread with ``Command(resume=value)``."""
        from langgraph.types import Command

        for _ in stream(
            self.graph, Command(resume=value), self._thread_config(), observers=self.observers, **self._kwargs
        ):
            pass

    def fork(self, config: dict[str, Any]) -> None:
        """Run the thread on from the checkpoint ``config`` addresses."""
        for _ in stream(self.graph, None, config, observers=self.observers, **self._kwargs):
            pass

    def history(self) -> list[Any]:
        """The thread's checkpoints, newest first."""
        return list(self.graph.get_state_history(self._thread_config()))

    def _thread_config(self) -> dict[str, Any]:
        conf = dict(self.config.get("configurable", {}))
        conf.pop("checkpoint_id", None)  # resume the thread where it is now
        conf.pop("checkpoint_ns", None)
        return {**self.config, "configurable": conf}


class _Run:
    """One watched run: the shape of the caller's chunks, the arguments LangGraph gets, the events."""

    def __init__(
        self,
        graph: Any,
        input: Any,
        config: dict[str, Any] | None,
        observers: Iterable[Observer | Callable[[Event], None]],
        kwargs: dict[str, Any],
    ) -> None:
        if not is_langgraph_graph(graph):
            raise TypeError(
                f"nbstream.langgraph watches compiled LangGraph graphs (langgraph.pregel.Pregel); "
                f"got {type(graph).__module__}.{type(graph).__qualname__}"
            )
        given = list(observers)
        watch = kwargs.pop("watch", "needed")
        if watch not in ("needed", "all"):
            raise ValueError(f"watch must be 'needed' (the modes the graph can use) or 'all', got {watch!r}")
        self.shape = CallerShape(
            graph,
            config,
            kwargs.pop("stream_mode", None),
            kwargs.pop("subgraphs", False),
            kwargs.pop("version", "v1"),
            kwargs.pop("print_mode", ()),
            kwargs.pop("debug", None),
        )
        self.run_id = str(uuid.uuid4())
        self.calls = RunCallbacks(self.run_id)
        self.silent = not given
        wants = [*self.shape.modes, *self.shape.print_modes]
        if self.silent:  # nothing to watch: the caller's own call
            needs = GraphNeeds(False, False, False)
        else:  # what the views need and the graph can make: the costly modes only when it can
            needs = GraphNeeds(True, True, True) if watch == "all" else needs_of(graph)
            wants += VIEW_MODES
            wants += [mode for mode, can in (("custom", needs.custom), ("messages", needs.messages)) if can]
            if getattr(graph, "checkpointer", None) not in (None, False) or _has_saver(config):
                wants.append("checkpoints")
        # the caller's messages without subgraphs differ from the root's share of them with
        # subgraphs (see the module docstring): keep the caller's flag then
        deep = self.shape.subgraphs or ("messages" not in self.shape.modes and needs.subgraphs)
        handler: Any = None
        if self.silent:
            pass
        elif "messages" in wants:
            handler = self.calls
        else:
            # the messages mode's own handler, heard by the watcher instead of streamed; with
            # ``subgraphs`` (LangGraph drops one without from a root run), so a graph run inside
            # a node that the probe did not see shows its model's messages too. LangGraph's own
            # class, not a handler of ours: chat models stream only to a streaming handler, and
            # any other streaming handler makes LangGraph's astream run its nodes as for
            # astream_log, which changes the chunks the caller gets. One handler for both
            handler = HeardMessages(self.calls)
        callbacks = (config or {}).get("callbacks")
        if handler is not None:
            callbacks = plus_handler(callbacks, handler)
        self.call_args: dict[str, Any] = {
            **kwargs,
            "stream_mode": list(dict.fromkeys(wants)),
            "subgraphs": deep,
            "version": "v1",
        }
        self.input = input
        self.config = {**(config or {}), "callbacks": callbacks} if handler is not None else config
        caller_kwargs = {**kwargs, "watch": watch}
        observer_handlers = [as_handler(observer) for observer in given]

        def thread(checkpoint: dict[str, Any] | None) -> ThreadControl | None:
            if not _has_thread(graph, config):
                return None
            return LangGraphThread(graph, dict(config or {}), given, caller_kwargs)

        self.watch = Watch(graph, self.run_id, observer_handlers, self.calls, thread)
        self.calls.feed_now = self.watch.feed

    def part(self, part: tuple[Any, ...]) -> Any:
        if len(part) == 3:
            ns, mode, payload = part
        else:  # (mode, payload) without subgraphs
            ns = ()
            mode, payload = part
        if not self.silent:
            self.watch.feed(ns, mode, payload)
        return self.shape.chunk(ns, mode, payload)

    def failed(self, error: BaseException) -> None:
        if not self.silent:
            cancelled = not isinstance(error, Exception) or _is_cancel(error)
            self.watch.finish(error, cancelled)


def _has_saver(config: dict[str, Any] | None) -> bool:
    return "__pregel_checkpointer" in (config or {}).get("configurable", {})


def _has_thread(graph: Any, config: dict[str, Any] | None) -> bool:
    has_saver = getattr(graph, "checkpointer", None) not in (None, False) or _has_saver(config)
    return has_saver and "thread_id" in (config or {}).get("configurable", {})


def _is_cancel(error: BaseException) -> bool:
    import asyncio

    return isinstance(error, (asyncio.CancelledError, GeneratorExit, KeyboardInterrupt))


def stream(
    graph: Any,
    input: Any,
    config: dict[str, Any] | None = None,
    *,
    observers: Iterable[Observer | Callable[[Event], None]] = (),
    **kwargs: Any,
) -> Iterator[Any]:
    """``graph.stream(input, config, **kwargs)``, chunk for chunk, with ``observers`` watching it.

    ``graph`` is a compiled LangGraph graph; ``kwargs`` are ``stream``'s own (``stream_mode``,
    ``subgraphs``, ``version``, ``context``, ``durability``, ...). Observers get nbstream's
    events (:mod:`nbstream.events`) in the caller's thread, as for an nbstream graph.
    """
    run = _Run(graph, input, config, observers, kwargs)
    if not run.silent:
        run.watch.start(input, config)
    try:
        for part in graph.stream(input, run.config, **run.call_args):
            chunk = run.part(part)
            if chunk is not SKIP:
                yield chunk
    except BaseException as error:
        run.failed(error)
        raise
    if not run.silent:
        run.watch.finish()


async def astream(
    graph: Any,
    input: Any,
    config: dict[str, Any] | None = None,
    *,
    observers: Iterable[Observer | Callable[[Event], None]] = (),
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """The ``async for`` twin of :func:`stream` (``graph.astream``)."""
    run = _Run(graph, input, config, observers, kwargs)
    if not run.silent:
        run.watch.start(input, config)
    try:
        async for part in graph.astream(input, run.config, **run.call_args):
            chunk = run.part(part)
            if chunk is not SKIP:
                yield chunk
    except BaseException as error:
        run.failed(error)
        raise
    if not run.silent:
        run.watch.finish()


def invoke(
    graph: Any,
    input: Any,
    config: dict[str, Any] | None = None,
    *,
    observers: Iterable[Observer | Callable[[Event], None]] = (),
    stream_mode: str = "values",
    version: str = "v1",
    **kwargs: Any,
) -> Any:
    """``graph.invoke(input, config, **kwargs)`` with ``observers`` watching the run."""
    collect = _InvokeResult(stream_mode, version)
    for chunk in stream(
        graph, input, config, observers=observers, version=version, **collect.stream_args(graph, kwargs)
    ):
        collect.add(chunk)
    return collect.result()


async def ainvoke(
    graph: Any,
    input: Any,
    config: dict[str, Any] | None = None,
    *,
    observers: Iterable[Observer | Callable[[Event], None]] = (),
    stream_mode: str = "values",
    version: str = "v1",
    **kwargs: Any,
) -> Any:
    """The ``await`` twin of :func:`invoke` (``graph.ainvoke``)."""
    collect = _InvokeResult(stream_mode, version)
    async for chunk in astream(
        graph, input, config, observers=observers, version=version, **collect.stream_args(graph, kwargs)
    ):
        collect.add(chunk)
    return collect.result()


class _InvokeResult:
    """What LangGraph's ``invoke`` keeps of its stream: the last values and the interrupts, or all chunks."""

    def __init__(self, stream_mode: str, version: str) -> None:
        self.values_mode = stream_mode == "values"
        self.stream_mode = stream_mode
        self.v2 = version == "v2"
        self.latest: Any = None
        self.interrupts: list[Any] = []
        self.chunks: list[Any] = []

    def stream_args(self, graph: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        graph_mode: Any = ["updates", "values"] if self.values_mode and not self.v2 else self.stream_mode
        # invoke keeps the output channels (stream's default is the stream channels)
        if kwargs.get("output_keys") is None:
            kwargs = {**kwargs, "output_keys": graph.output_channels}
        return {**kwargs, "stream_mode": graph_mode}

    def add(self, chunk: Any) -> None:
        if not self.values_mode:
            self.chunks.append(chunk)
        elif self.v2:
            self.latest = chunk["data"]
            self.interrupts.extend(chunk.get("interrupts", ()))
        else:
            mode, payload = chunk[-2], chunk[-1]
            if mode == "updates" and isinstance(payload, dict) and payload.get("__interrupt__") is not None:
                self.interrupts.extend(payload["__interrupt__"])
            elif mode == "values":
                self.latest = payload

    def result(self) -> Any:
        if not self.values_mode:
            return self.chunks
        if self.v2:
            from langgraph.types import GraphOutput

            return GraphOutput(value=self.latest, interrupts=tuple(self.interrupts))
        if self.interrupts:
            if isinstance(self.latest, dict):
                return {**self.latest, "__interrupt__": self.interrupts}
            return {"__interrupt__": self.interrupts}
        return self.latest
