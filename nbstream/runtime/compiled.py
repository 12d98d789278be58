"""``CompiledStateGraph``: a checked graph you can ``invoke``/``ainvoke``/``stream``/``astream``.

Everything that does not change between runs (injected parameters, successors, joins, reducers,
defaults) is computed once here, so the step loop only does per-step work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from nbstream.bus import Bus, EventHandler, Observer, as_handler
from nbstream.graph._builder import END, START, StateGraph, branch_targets, command_targets
from nbstream.graph._state import schema_info
from nbstream.modes import StreamProjector, parse_modes
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._node import NodeRuntime
from nbstream.runtime._task import nested_config
from nbstream.runtime.drivers import run_async, run_sync
from nbstream.runtime.loop import Root, Run, Task

__all__ = ["CompiledStateGraph", "NodeRuntime"]

_LIVE_MODES = frozenset({"custom", "messages"})


class CompiledStateGraph:
    """A compiled graph. Run it with ``invoke``/``ainvoke``/``stream``/``astream``; use it as a node."""

    _nbstream_compiled = True

    def __init__(self, builder: StateGraph, name: str) -> None:
        self.builder = builder
        self.name = name
        self.channels = builder.channels
        self.state_info = builder.state_info
        self.input_info = builder.input_info
        self.output_info = builder.output_info
        self.defaults = tuple(
            (key, ch.default_factory) for key, ch in self.channels.items() if ch.default_factory is not None
        )
        self.nodes: dict[str, NodeRuntime] = {}
        for spec in builder.nodes.values():
            info = schema_info(spec.input_schema)[0] if spec.input_schema is not None else self.state_info
            self.nodes[spec.name] = NodeRuntime(spec.name, spec.action, spec.metadata, info)
        self.node_names = tuple(self.nodes)
        edges: dict[str, list[str]] = {}
        for source, target in builder.edges:
            if target != END:
                edges.setdefault(source, []).append(target)
        self.start_edges = tuple(edges.pop(START, ()))
        for name, targets in edges.items():
            self.nodes[name].edges = tuple(dict.fromkeys(targets))
        self.start_branches = tuple(b for b in builder.branches if b.source == START)
        for name, node in self.nodes.items():
            node.branches = tuple(b for b in builder.branches if b.source == name)
        self.joins: list[tuple[tuple[str, ...], str, str]] = [
            (sources, target, f"join:{'+'.join(sources)}:{target}") for sources, target in builder.joins
        ]
        for name, node in self.nodes.items():
            node.join_indexes = tuple(i for i, (sources, _, _) in enumerate(self.joins) if name in sources)
        self.edge_list = self._edge_list()
        self.has_async: bool = any(
            n.is_async or (n.subgraph is not None and n.subgraph.has_async) for n in self.nodes.values()
        )

    def _edge_list(self) -> tuple[tuple[str, str, bool], ...]:
        out: list[tuple[str, str, bool]] = [(s, t, False) for s, t in self.builder.edges]
        for sources, target in self.builder.joins:
            out.extend((s, target, False) for s in sources)
        for branch in self.builder.branches:
            out.extend((branch.source, t, True) for t in branch_targets(branch) or ())
        for spec in self.builder.nodes.values():
            out.extend((spec.name, t, True) for t in command_targets(spec.action) or ())
        return tuple(out)

    def __repr__(self) -> str:
        return f"CompiledStateGraph(name={self.name!r}, nodes={list(self.node_names)!r})"

    # -- setting up a call -----------------------------------------------------------------------
    def _open(
        self,
        config: dict[str, Any] | None,
        handlers: list[EventHandler],
        wants_custom: bool,
        *,
        modes: frozenset[str] = frozenset(),
        subgraphs: bool = False,
        message_keys: Sequence[str] | None = None,
    ) -> tuple[Run, Bus]:
        """Make the bus, root and run for one call, nested under the running task if there is one."""
        parent = CURRENT_TASK.get()
        # who listens to LLM messages: the messages mode, or any handler besides the projector
        listen = _Listeners(modes, subgraphs, message_keys, len(handlers) - _has_projector(handlers))
        if parent is None:
            bus = Bus(handlers)
            root = Root(bus, live_custom=wants_custom, callbacks=None, user_config=config)
            _messages_callbacks(root, (), config, None, listen)
            return Run(self, root, (), None), bus
        # a graph invoked inside a running node: its events also flow to the enclosing run's bus,
        # under the calling task's namespace (a 2nd call in the same task gets a '1' segment, ...)
        outer = parent.run.root
        segment = f"{parent.task.node.name}:{parent.task.id}"
        ns = (
            (*parent.run.ns, segment)
            if parent.nested_calls == 0
            else (*parent.run.ns, segment, str(parent.nested_calls))
        )
        parent.nested_calls += 1
        handlers.append(outer.bus.publish)
        bus = Bus(handlers)
        parent_config = parent.config or parent.run.task_config(parent.task)
        merged = nested_config(parent_config, config)
        root = Root(bus, live_custom=True, callbacks=outer.callbacks, user_config=merged)
        root.run_id = outer.run_id
        _messages_callbacks(root, ns, merged, outer, listen)
        return Run(self, root, ns, merged), bus

    @staticmethod
    def _handlers(
        projector: StreamProjector | None, observers: Iterable[Observer | EventHandler]
    ) -> list[Any]:
        handlers: list[Any] = [projector] if projector is not None else []
        handlers.extend(as_handler(o) for o in observers)
        return handlers

    def _open_stream(
        self,
        config: dict[str, Any] | None,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        observers: list[Any],
        message_keys: Sequence[str] | None,
    ) -> tuple[Run, Bus, StreamProjector]:
        """Set up one stream call (run inside the generator, so in the thread that iterates it)."""
        projector = StreamProjector(modes, tagged, subgraphs)
        run, bus = self._open(
            config,
            self._handlers(projector, observers),
            "custom" in modes or bool(observers),
            modes=modes,
            subgraphs=subgraphs,
            message_keys=message_keys,
        )
        projector.rebase(run.ns)
        return run, bus, projector

    # -- sync ------------------------------------------------------------------------------------
    def stream(
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        stream_mode: Any = None,
        subgraphs: bool = False,
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **unsupported: Any,
    ) -> Iterator[Any]:
        """Run the graph, yielding chunks of the requested stream mode(s) as they are produced."""
        _reject(unsupported)
        modes, tagged = _modes(stream_mode)
        return self._stream(input, config, modes, tagged, subgraphs, list(observers), message_keys)

    def _stream(
        self,
        input: Any,
        config: dict[str, Any] | None,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        observers: list[Any],
        message_keys: Sequence[str] | None = None,
    ) -> Iterator[Any]:
        run, bus, projector = self._open_stream(config, modes, tagged, subgraphs, observers, message_keys)
        live = bool(modes & _LIVE_MODES) or subgraphs
        out = projector.out
        try:
            for _ in run_sync(run, input, live):
                while out:
                    yield out.popleft()
        except Exception:
            while out:  # what was produced before the error is still delivered, then the error
                yield out.popleft()
            raise
        finally:
            bus.close()

    def invoke(
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        stream_mode: Any = "values",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the graph to the end and return its output (``stream_mode="values"``), else all chunks."""
        _reject({k: v for k, v in kwargs.items() if k != "subgraphs"})
        if stream_mode != "values":
            chunks = self.stream(
                input,
                config,
                stream_mode=stream_mode,
                observers=observers,
                message_keys=message_keys,
                **kwargs,
            )
            return list(chunks)
        observers = list(observers)
        run, bus = self._open(
            config, self._handlers(None, observers), bool(observers), message_keys=message_keys
        )
        try:
            for _ in run_sync(run, input, False):
                pass
        finally:
            bus.close()
        # as LangGraph: the last values chunk, so None when no step wrote anything
        return run.output() if run.wrote else None

    # -- async -----------------------------------------------------------------------------------
    def astream(
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        stream_mode: Any = None,
        subgraphs: bool = False,
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **unsupported: Any,
    ) -> AsyncIterator[Any]:
        """Async ``stream``: run on the current event loop, yielding chunks as they are produced."""
        _reject(unsupported)
        modes, tagged = _modes(stream_mode)
        return self._astream(input, config, modes, tagged, subgraphs, list(observers), message_keys)

    async def _astream(
        self,
        input: Any,
        config: dict[str, Any] | None,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        observers: list[Any],
        message_keys: Sequence[str] | None = None,
    ) -> AsyncIterator[Any]:
        run, bus, projector = self._open_stream(config, modes, tagged, subgraphs, observers, message_keys)
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        bus.set_wakeup(_waker(loop, wake))
        projector.notify = wake.set
        live = bool(modes & _LIVE_MODES) or subgraphs
        out = projector.out
        driver = run_async(run, input, live, wake)
        try:
            async for _ in driver:
                while out:
                    yield out.popleft()
        except Exception:
            while out:  # what was produced before the error is still delivered, then the error
                yield out.popleft()
            raise
        finally:
            await driver.aclose()
            bus.close()

    async def ainvoke(
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        stream_mode: Any = "values",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Async ``invoke``."""
        _reject({k: v for k, v in kwargs.items() if k != "subgraphs"})
        if stream_mode != "values":
            chunks = self.astream(
                input,
                config,
                stream_mode=stream_mode,
                observers=observers,
                message_keys=message_keys,
                **kwargs,
            )
            return [c async for c in chunks]
        observers = list(observers)
        run, bus = self._open(
            config, self._handlers(None, observers), bool(observers), message_keys=message_keys
        )
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        bus.set_wakeup(_waker(loop, wake))
        driver = run_async(run, input, False, wake)
        try:
            async for _ in driver:
                pass
        finally:
            await driver.aclose()
            bus.close()
        # as LangGraph: the last values chunk, so None when no step wrote anything
        return run.output() if run.wrote else None

    # -- as a node of another graph --------------------------------------------------------------
    def _as_node_run(self, parent: Run, task: Task) -> Run:
        ns = (*parent.ns, f"{task.node.name}:{task.id}")
        ctx = task.ctx
        config = (ctx.config or None) if ctx is not None else None
        return Run(self, parent.root, ns, config)

    def _as_node_output(self, run: Run, parent: Run) -> dict[str, Any]:
        # a subgraph shares the keys both graphs have; its private keys stay inside it
        channels = parent.graph.channels
        return {k: v for k, v in run.output().items() if k in channels}

    def run_as_node_sync(self, input: Any, parent: Run, task: Task) -> dict[str, Any]:
        run = self._as_node_run(parent, task)
        for _ in run_sync(run, input, False):
            pass
        return self._as_node_output(run, parent)

    async def run_as_node_async(self, input: Any, parent: Run, task: Task) -> dict[str, Any]:
        run = self._as_node_run(parent, task)
        async for _ in run_async(run, input, False):
            pass
        return self._as_node_output(run, parent)

    # -- drawing ---------------------------------------------------------------------------------
    def get_graph(self, xray: bool = False) -> Any:
        """The graph's shape, with ``draw_mermaid()`` and ``draw_ascii()`` (offline, no grandalf)."""
        from nbstream.widgets.drawing import GraphDrawing

        return GraphDrawing(self.node_names, self.edge_list, name=self.name)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """In a notebook, a compiled graph shows its drawing (Mermaid, with ASCII as text)."""
        drawing = self.get_graph()
        return {"text/vnd.mermaid": drawing.draw_mermaid(), "text/plain": drawing.draw_ascii()}


def _modes(stream_mode: Any) -> tuple[frozenset[str], bool]:
    """Parse ``stream_mode``; its default is ``values`` inside a running node, else ``updates``."""
    if stream_mode is None:
        stream_mode = "values" if CURRENT_TASK.get() is not None else "updates"
    return parse_modes(stream_mode)


def _reject(unsupported: dict[str, Any]) -> None:
    """Refuse LangGraph options nbstream does not implement, rather than ignore them silently."""
    used = sorted(k for k, v in unsupported.items() if v not in (None, (), [], False))
    if used:
        raise TypeError(
            f"nbstream does not support {', '.join(used)} (see docs/differences.md); "
            f"remove the argument or run the graph with LangGraph"
        )


class _Listeners(NamedTuple):
    """What a call asked for that decides whether it needs the messages handler."""

    modes: frozenset[str]
    subgraphs: bool
    message_keys: Sequence[str] | None
    observers: int


def _has_projector(handlers: list[Any]) -> int:
    return 1 if handlers and getattr(handlers[0], "_nbstream_projector", False) else 0


def _messages_callbacks(
    root: Root, ns: tuple[str, ...], config: dict[str, Any] | None, outer: Root | None, listen: _Listeners
) -> None:
    """Give ``root`` the messages handler, and the callbacks each task's config carries, if anyone listens.

    Nobody listens (no ``messages`` mode, no observer): a top-level call gets none and pays nothing;
    a graph invoked inside a node keeps the enclosing call's. Otherwise the handler publishes on this
    call's bus (for a nested call, one that shares the enclosing handler's de-duplication).
    """
    if outer is not None:
        root.messages = outer.messages
    wants_mode = "messages" in listen.modes
    if not wants_mode and not listen.observers:
        if outer is not None and outer.messages is not None:  # tokens take this call's bus too
            root.messages, root.callbacks = outer.messages.relayed(root.bus.publish, ns, outer.callbacks)
        return
    from nbstream.llm import MessagesHandler, with_handler

    split = wants_mode and not listen.subgraphs
    base_only = split and not listen.observers
    enclosing = outer.messages if outer is not None else None
    if enclosing is not None:
        handler = enclosing.nested(
            root.bus.publish, ns, split=split, base_only=base_only, message_keys=listen.message_keys
        )
    else:
        handler = MessagesHandler(
            root.bus.publish,
            root.run_id,
            ns,
            split=split,
            base_only=base_only,
            message_keys=listen.message_keys,
        )
    root.messages = handler
    root.callbacks = with_handler((config or {}).get("callbacks"), handler)


def _waker(loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> Callable[[], None]:
    """Wake the event loop's driver from a worker thread that queued an event."""

    def wakeup() -> None:
        loop.call_soon_threadsafe(wake.set)

    return wakeup
