"""``CompiledStateGraph``: a checked graph you can ``invoke``/``ainvoke``/``stream``/``astream``.

Everything that does not change between runs (injected parameters, successors, joins, reducers,
defaults) is computed once here, so the step loop only does per-step work.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any

from nbstream._graph_output import invoke_result
from nbstream._printing import aprint_through, print_through
from nbstream.bus import Bus, EventHandler, Observer, as_handler
from nbstream.errors import GraphInterrupt, NotSupportedError
from nbstream.graph._builder import END, START, StateGraph
from nbstream.graph._hints import branch_targets
from nbstream.graph._state import schema_info
from nbstream.modes import StreamProjector, parse_modes
from nbstream.runtime._calls import open_call
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._error_handlers import link_error_handlers
from nbstream.runtime._node import NodeRuntime
from nbstream.runtime._options import CallOptions, given_options, invoke_options, read_options
from nbstream.runtime._runnable import RunnableGraph
from nbstream.runtime._surface import GraphSurface
from nbstream.runtime._task import task_segment
from nbstream.runtime._timeouts import ATTEMPT
from nbstream.runtime._tracing import subgraph_run
from nbstream.runtime.drivers import run_async, run_sync
from nbstream.runtime.loop import Run, Task

__all__ = ["CompiledStateGraph", "NodeRuntime"]

_LIVE_MODES = frozenset({"custom", "messages"})
_VALUES = frozenset({"values"})


class CompiledStateGraph(GraphSurface, RunnableGraph):
    """A compiled graph. Run it with ``invoke``/``ainvoke``/``stream``/``astream``; use it as a node.

    It is a langchain-core ``Runnable`` (see ``nbstream.runtime._runnable``), and reports to LangChain
    callbacks and LangSmith tracing when a call has them (see ``nbstream.runtime._tracing``).
    LangGraph's other attributes and methods, and the loud refusals for the rest, are in
    ``nbstream.runtime._surface``.
    """

    _nbstream_compiled = True

    def __init__(
        self,
        builder: StateGraph,
        name: str,
        *,
        cache: Any = None,
        store: Any = None,
        debug: bool = False,
        checkpointer: Any = None,
        interrupt_before: Any = (),
        interrupt_after: Any = (),
    ) -> None:
        self.builder = builder
        #: a langgraph-checkpoint saver, or None (True/False: a subgraph's choice, see runtime._persist)
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = interrupt_before
        self.interrupt_after_nodes = interrupt_after
        self.name = name
        #: a langgraph.cache.base.BaseCache for the nodes with a cache_policy, or None
        self.cache = cache
        #: a langgraph.store.base.BaseStore the nodes share across threads, or None; a graph run
        #: inside another (a subgraph) uses the outer graph's instead, as LangGraph does
        self.store = store
        self.debug = debug
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
            if spec.cache_policy is not None and cache is None:
                warnings.warn(
                    f"node {spec.name!r} has a cache_policy, but the graph was compiled without a cache, "
                    "so nothing is cached: compile(cache=InMemoryCache())",
                    stacklevel=3,
                )
            timeout = spec.timeout if spec.timeout is not None else builder._node_timeout
            self.nodes[spec.name] = NodeRuntime(spec, info, cached=cache is not None, timeout=timeout)
        self.node_names = tuple(self.nodes)
        if any(spec.is_error_handler for spec in builder.nodes.values()):
            link_error_handlers(self)
        #: whether some node runs only when nothing else is left (defer=True); else no step pays for it
        self.has_defer = any(n.defer for n in self.nodes.values())
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
            node.async_routers = any(b.is_async for b in node.branches)
        self.async_start = any(b.is_async for b in self.start_branches)
        self.joins: list[tuple[tuple[str, ...], str, str]] = [
            (sources, target, f"join:{'+'.join(sources)}:{target}") for sources, target in builder.joins
        ]
        for name, node in self.nodes.items():
            node.join_indexes = tuple(i for i, (sources, _, _) in enumerate(self.joins) if name in sources)
        self.edge_list = self._edge_list()
        #: whether the output schema leaves out some channel (then invoke's chunks are cut to it)
        self._cuts_output = set(self.output_info.keys) != set(self.channels)
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
            out.extend((spec.name, t, True) for t in spec.ends)
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
        context: Any = None,
        thread: CallOptions | None = None,
    ) -> tuple[Run, Bus]:
        """Make the bus, root and run for one call (see :func:`nbstream.runtime._calls.open_call`)."""
        return open_call(
            self, config, handlers, wants_custom, modes, subgraphs, message_keys, context, thread
        )

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
        options: CallOptions | None,
        context: Any = None,
    ) -> tuple[Run, Bus, StreamProjector]:
        """Set up one stream call (run inside the generator, so in the thread that iterates it)."""
        projector = StreamProjector(modes, tagged, subgraphs, options=options)
        modes = _shown(modes, options)
        run, bus = self._open(
            config,
            self._handlers(projector, observers),
            "custom" in modes or bool(observers),
            modes=modes,
            subgraphs=subgraphs,
            message_keys=message_keys,
            context=context,
            thread=options,
        )
        projector.rebase(run.ns)
        return run, bus, projector

    def _invoke_setup(
        self, method: str, stream_mode: Any, kwargs: dict[str, Any], options: tuple[Any, ...]
    ) -> tuple[bool, dict[str, Any], CallOptions | None]:
        """Read an ``invoke``/``ainvoke`` call's options: (subgraphs, the options given, parsed)."""
        subgraphs = bool(kwargs.pop("subgraphs", False))
        kwargs = given_options(kwargs, *options)
        opts = self._call_options(method, kwargs)
        if stream_mode != "values":
            if "output_keys" not in kwargs and self._cuts_output:
                # as LangGraph: invoke's chunks show the output schema's keys, stream's all keys
                kwargs["output_keys"] = list(self.output_info.keys)
        elif opts is not None:  # the output is the last values chunk, as the options shape it
            opts = invoke_options(opts, self.output_info.keys)
        return subgraphs, kwargs, opts

    def _open_invoke(
        self, config: Any, observers: Iterable[Any], message_keys: Sequence[str] | None, context: Any
    ) -> tuple[Run, Bus]:
        """The run of a plain ``invoke``/``ainvoke`` (no stream options): no projector at all."""
        handlers = self._handlers(None, observers)
        return self._open(config, handlers, bool(handlers), message_keys=message_keys, context=context)

    # -- sync ------------------------------------------------------------------------------------
    def stream(  # type: ignore[override]  # a plain dict config, not RunnableConfig
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: Any = None,
        print_mode: Any = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: Any = None,
        control: Any = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        version: str = "v1",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Run the graph, yielding chunks of the requested stream mode(s) as they are produced.

        Takes LangGraph's ``context``, ``version``, ``print_mode``, ``output_keys`` and ``debug``;
        the persistence options are refused by name (see :mod:`nbstream.runtime._options`).
        ``observers`` get every event of the run; ``message_keys`` limits which state keys the
        ``messages`` mode scans for node-output messages.
        """
        if (twin := self._langgraph_twin(observers, message_keys)) is not None:
            return twin.stream(  # type: ignore[no-any-return]
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                print_mode=print_mode,
                output_keys=output_keys,
                interrupt_before=interrupt_before,
                interrupt_after=interrupt_after,
                durability=durability,
                control=control,
                subgraphs=subgraphs,
                debug=debug,
                version=version,
                **kwargs,
            )
        options: tuple[Any, ...] = (print_mode, output_keys, interrupt_before, interrupt_after)
        options += (durability, control, debug, version)
        opts = self._call_options("stream", given_options(kwargs, *options))
        modes, tagged = _modes(stream_mode)
        chunks = self._stream(
            input, config, modes, tagged, subgraphs, list(observers), message_keys, opts, context
        )
        return print_through(chunks) if opts is not None and opts.print_modes else chunks

    def _call_options(self, method: str, kwargs: dict[str, Any]) -> CallOptions | None:
        return read_options(
            method, kwargs, channels=self.channels, graph_debug=self.debug, output_info=self.output_info
        )

    def _stream(
        self,
        input: Any,
        config: dict[str, Any] | None,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        observers: list[Any],
        message_keys: Sequence[str] | None = None,
        options: CallOptions | None = None,
        context: Any = None,
        paused: list[Any] | None = None,
    ) -> Iterator[Any]:
        run, bus, projector = self._open_stream(
            config, modes, tagged, subgraphs, observers, message_keys, options, context
        )
        live = bool(_shown(modes, options) & _LIVE_MODES) or subgraphs
        out = projector.out
        try:
            for _ in run_sync(run, input, live):
                while out:
                    yield out.popleft()
        except GraphInterrupt as stop:
            while out:
                yield out.popleft()
            _paused(run, stop, paused)
        except Exception:
            while out:  # what was produced before the error is still delivered, then the error
                yield out.popleft()
            raise
        finally:
            bus.close()

    def invoke(  # type: ignore[override]  # a plain dict config, not RunnableConfig
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: Any = "values",
        print_mode: Any = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: Any = None,
        control: Any = None,
        version: str = "v1",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the graph to the end and return its output (``stream_mode="values"``), else all chunks."""
        if (twin := self._langgraph_twin(observers, message_keys)) is not None:
            return twin.invoke(
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                print_mode=print_mode,
                output_keys=output_keys,
                interrupt_before=interrupt_before,
                interrupt_after=interrupt_after,
                durability=durability,
                control=control,
                version=version,
                **kwargs,
            )
        subgraphs, kwargs, opts = self._invoke_setup(
            "invoke",
            stream_mode,
            kwargs,
            (print_mode, output_keys, interrupt_before, interrupt_after, durability, control, None, version),
        )
        if stream_mode != "values":
            chunks = self.stream(
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                subgraphs=subgraphs,
                observers=observers,
                message_keys=message_keys,
                **kwargs,
            )
            return list(chunks)
        if opts is not None:  # the output is the last values chunk, as the options shape it
            paused: list[Any] = []
            values = self._stream(
                input, config, _VALUES, False, subgraphs, list(observers), message_keys, opts, context, paused
            )
            last = None
            for chunk in print_through(values) if opts.print_modes else values:
                last = chunk
            return invoke_result(last, opts.v2, subgraphs, tuple(paused))
        run, bus = self._open_invoke(config, observers, message_keys, context)
        try:
            for _ in run_sync(run, input, False):
                pass
        except GraphInterrupt as paused:
            if run.ns:
                raise
            return paused_output(run, paused)
        finally:
            bus.close()
        # as LangGraph: the last values chunk, so None when no step wrote anything
        return run.output() if run.wrote else None

    # -- async -----------------------------------------------------------------------------------
    def astream(  # type: ignore[override]  # a plain dict config, not RunnableConfig
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: Any = None,
        print_mode: Any = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: Any = None,
        control: Any = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        version: str = "v1",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Async ``stream``: run on the current event loop, yielding chunks as they are produced."""
        if (twin := self._langgraph_twin(observers, message_keys)) is not None:
            return twin.astream(  # type: ignore[no-any-return]
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                print_mode=print_mode,
                output_keys=output_keys,
                interrupt_before=interrupt_before,
                interrupt_after=interrupt_after,
                durability=durability,
                control=control,
                subgraphs=subgraphs,
                debug=debug,
                version=version,
                **kwargs,
            )
        options: tuple[Any, ...] = (print_mode, output_keys, interrupt_before, interrupt_after)
        options += (durability, control, debug, version)
        opts = self._call_options("astream", given_options(kwargs, *options))
        modes, tagged = _modes(stream_mode)
        chunks = self._astream(
            input, config, modes, tagged, subgraphs, list(observers), message_keys, opts, context
        )
        return aprint_through(chunks) if opts is not None and opts.print_modes else chunks

    async def _astream(
        self,
        input: Any,
        config: dict[str, Any] | None,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        observers: list[Any],
        message_keys: Sequence[str] | None = None,
        options: CallOptions | None = None,
        context: Any = None,
        paused: list[Any] | None = None,
    ) -> AsyncIterator[Any]:
        run, bus, projector = self._open_stream(
            config, modes, tagged, subgraphs, observers, message_keys, options, context
        )
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        bus.set_wakeup(_waker(loop, wake))
        projector.notify = wake.set
        live = bool(_shown(modes, options) & _LIVE_MODES) or subgraphs
        out = projector.out
        driver = run_async(run, input, live, wake)
        try:
            async for _ in driver:
                while out:
                    yield out.popleft()
        except GraphInterrupt as stop:
            while out:
                yield out.popleft()
            _paused(run, stop, paused)
        except Exception:
            while out:  # what was produced before the error is still delivered, then the error
                yield out.popleft()
            raise
        finally:
            await driver.aclose()
            bus.close()

    async def ainvoke(  # type: ignore[override]  # a plain dict config, not RunnableConfig
        self,
        input: Any,
        config: dict[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: Any = "values",
        print_mode: Any = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: Any = None,
        control: Any = None,
        version: str = "v1",
        observers: Iterable[Observer | EventHandler] = (),
        message_keys: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Async ``invoke``."""
        if (twin := self._langgraph_twin(observers, message_keys)) is not None:
            return await twin.ainvoke(
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                print_mode=print_mode,
                output_keys=output_keys,
                interrupt_before=interrupt_before,
                interrupt_after=interrupt_after,
                durability=durability,
                control=control,
                version=version,
                **kwargs,
            )
        subgraphs, kwargs, opts = self._invoke_setup(
            "ainvoke",
            stream_mode,
            kwargs,
            (print_mode, output_keys, interrupt_before, interrupt_after, durability, control, None, version),
        )
        if stream_mode != "values":
            chunks = self.astream(
                input,
                config,
                context=context,
                stream_mode=stream_mode,
                subgraphs=subgraphs,
                observers=observers,
                message_keys=message_keys,
                **kwargs,
            )
            return [c async for c in chunks]
        if opts is not None:  # the output is the last values chunk, as the options shape it
            paused: list[Any] = []
            values = self._astream(
                input, config, _VALUES, False, subgraphs, list(observers), message_keys, opts, context, paused
            )
            last = None
            async for chunk in aprint_through(values) if opts.print_modes else values:
                last = chunk
            return invoke_result(last, opts.v2, subgraphs, tuple(paused))
        run, bus = self._open_invoke(config, observers, message_keys, context)
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        bus.set_wakeup(_waker(loop, wake))
        driver = run_async(run, input, False, wake)
        try:
            async for _ in driver:
                pass
        except GraphInterrupt as paused:
            if run.ns:
                raise
            return paused_output(run, paused)
        finally:
            await driver.aclose()
            bus.close()
        # as LangGraph: the last values chunk, so None when no step wrote anything
        return run.output() if run.wrote else None

    # -- as a node of another graph --------------------------------------------------------------
    def _as_node_run(self, parent: Run, task: Task) -> Run:
        if task.node.is_error_handler:  # as LangGraph: nested in the failed task's namespace
            ns = (*parent.ns, *task_segment(task).split("|"))
        else:
            ns = (*parent.ns, f"{task.node.name}:{task.id}")
        ctx = task.ctx
        config = (ctx.config or None) if ctx is not None else None
        run = subgraph_run(self, parent, ns, config)
        attempt = ATTEMPT.get()
        if attempt is not None and attempt.auto:  # run by a timed node: its steps are progress
            run.progress = attempt.progress
        if parent.saving is not None and self.checkpointer is not False:
            from nbstream.runtime._persist import attach

            attach(run, None, None, durability=None, before=None, after=None, parent=parent)
        return run

    def _as_node_output(self, run: Run, parent: Run) -> dict[str, Any]:
        # a subgraph shares the keys both graphs have; its private keys stay inside it
        channels = parent.graph.channels
        return {k: v for k, v in run.output().items() if k in channels}

    def _debug_output(self, output: Any, parent: Run) -> dict[str, Any]:
        channels = parent.graph.channels
        return {k: v for k, v in (output or {}).items() if k in channels}

    def run_as_node_sync(self, input: Any, parent: Run, task: Task) -> dict[str, Any]:
        if self.debug:  # compile(debug=True) prints here too: run as a call from the node, which prints
            return self._debug_output(self.invoke(input), parent)
        run = self._as_node_run(parent, task)
        for _ in run_sync(run, input, False):
            pass
        return self._as_node_output(run, parent)

    async def run_as_node_async(self, input: Any, parent: Run, task: Task) -> dict[str, Any]:
        if self.debug:
            return self._debug_output(await self.ainvoke(input), parent)
        run = self._as_node_run(parent, task)
        async for _ in run_async(run, input, False):
            pass
        return self._as_node_output(run, parent)

    # -- drawing ---------------------------------------------------------------------------------
    def get_graph(self, config: Any = None, *, xray: int | bool = False) -> Any:
        """The graph as LangGraph gives it: a langchain-core ``Graph`` (``nodes``, ``edges``,
        ``draw_mermaid()``) that also draws itself offline in a notebook and with ``draw_ascii()``.

        ``xray=True`` draws the subgraphs expanded, ``xray=n`` ``n`` levels deep (see
        ``nbstream.runtime._drawable``). ``config`` changes nothing: the drawing comes from the
        declarations."""
        from nbstream.runtime._drawable import compiled_drawing

        return compiled_drawing(self, xray)

    async def aget_graph(self, config: dict[str, Any] | None = None, *, xray: int | bool = False) -> Any:
        """Async :meth:`get_graph`."""
        return self.get_graph(config, xray=xray)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """In a notebook, a compiled graph shows its drawing (SVG, with ASCII as text)."""
        from nbstream.widgets.drawing import GraphDrawing

        drawing = GraphDrawing(self.node_names, self.edge_list, name=self.name)
        return drawing._repr_mimebundle_(include, exclude)

    # -- graduating to LangGraph -----------------------------------------------------------------
    def to_langgraph(self) -> Any:
        """The equivalent LangGraph ``CompiledStateGraph``, built from the same builder (for
        LangGraph Server's ``langgraph.json``); needs ``pip install nbstream[langgraph]``. What
        cannot be exported raises :class:`~nbstream.errors.NotSupportedError` naming it."""
        from nbstream.langgraph._export import to_langgraph

        return to_langgraph(self)

    def _langgraph_twin(self, observers: Iterable[Any], message_keys: Any) -> Any:
        """This graph exported, when a LangGraph task calls it (a node of an exported graph that
        invokes it): it then runs as LangGraph's subgraph, as a LangGraph graph would. Else None."""
        if CURRENT_TASK.get() is not None or "langgraph.pregel" not in sys.modules:
            return None
        from nbstream.config import langgraph_accessor

        if langgraph_accessor("get_config") is None:
            return None
        if observers or message_keys is not None:
            raise NotSupportedError(
                f"graph {self.name!r} was called with observers=/message_keys= inside a LangGraph node: "
                "there it runs on LangGraph, which has no observers; watch the whole LangGraph run "
                "with nbstream.langgraph.stream(..., observers=[...]) instead"
            )
        twin = self.__dict__.get("_twin")
        if twin is None:
            twin = self.__dict__["_twin"] = self.to_langgraph()
        return twin


def _modes(stream_mode: Any) -> tuple[frozenset[str], bool]:
    """Parse ``stream_mode``; its default is ``values`` inside a running node, else ``updates``."""
    if stream_mode is None:
        stream_mode = "values" if CURRENT_TASK.get() is not None else "updates"
    return parse_modes(stream_mode)


def _shown(modes: frozenset[str], options: CallOptions | None) -> frozenset[str]:
    """The modes a call streams or prints: both need their events produced."""
    return modes | options.print_modes if options is not None else modes


def _waker(loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> Callable[[], None]:
    """Wake the event loop's driver from a worker thread that queued an event."""

    def wakeup() -> None:
        loop.call_soon_threadsafe(wake.set)

    return wakeup


def _paused(run: Run, stop: GraphInterrupt, paused: list[Any] | None) -> None:
    """A streamed run paused: its interrupts go to ``paused`` (what invoke returns); a graph invoked
    inside a node raises on, since the pause is that node's."""
    if paused is not None and stop.args:
        paused.extend(stop.args[0])
    if run.ns:
        raise stop


def paused_output(run: Run, paused: GraphInterrupt) -> dict[str, Any]:
    """What ``invoke`` returns for a run that paused: the state (finished tasks' writes applied)
    and, as LangGraph, the interrupts under ``__interrupt__``."""
    values = run.paused_values if run.paused_values is not None else run.values
    out: dict[str, Any] = {k: values[k] for k in run.graph.output_info.keys if k in values}
    if paused.args and paused.args[0]:
        out["__interrupt__"] = list(paused.args[0])
    return out
