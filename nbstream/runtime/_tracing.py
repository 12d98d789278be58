"""LangChain callbacks for a graph run: the graph, each node task and each router as chain runs.

A call has callbacks when its config carries handlers (``config["callbacks"]``, a list or a
manager, as ``astream_events``, ``with_listeners`` and a ``RunnableSequence`` pass them), or when
langchain-core would add some by itself: LangSmith tracing (``LANGSMITH_TRACING=true`` /
``LANGCHAIN_TRACING_V2=true``, ``tracing_v2_enabled()``), ``set_debug(True)``, ``collect_runs()``.
Such a call runs on a :class:`TracedRun`; any other call on a plain ``Run``, having paid one
:func:`tracing_wanted` check for the whole call and nothing per step.

The run tree is LangGraph 1.2's:

* **graph**: a chain run named ``config["run_name"]`` or the graph's name, with the call's tags,
  its metadata (plus the configurable's scalar values, as ``ensure_config`` copies them, and
  ``ls_integration="langgraph"``), the input as inputs and the final output as outputs; run id
  ``config["run_id"]`` when given (``astream_events`` relies on it).
* **task**: a child chain run per node task, named after the node, tagged ``graph:step:N`` plus the
  call's tags, with the task's metadata (``langgraph_step``/``_node``/``_triggers``/``_path``/
  ``_checkpoint_ns``); inputs the task input, outputs what the node returned (a ``Command`` as is).
  The node's code runs with callbacks that are a child of that run tagged ``seq:step:1`` (in its
  config and in langchain-core's config context variable), so chat models, tools, custom events
  and graphs it invokes nest under it; a subgraph node's graph run does too.
* **router**: a chain run under the task that ran it, tagged ``seq:step:K`` where K is the
  router's place after the node's writers in LangGraph (node, state write, one per plain edge and
  join, then the routers in order); named after the function (``RunnableCallable`` for a lambda),
  inputs the state it read, outputs what it returned. Routers of conditional edges from START run
  under a ``__start__`` task (``graph:step:0``, tagged ``langsmith:hidden``), as in LangGraph.
* Streaming handlers (``astream_events``) also get each task's output as its run's one stream
  chunk, just before the task's run ends.

A node added with ``trace_policy=TracePolicy(process_inputs=f, process_outputs=g)`` has its task
run recorded by tracers (any ``BaseTracer`` but a streaming one: LangSmith's, ``collect_runs``)
with ``f(input)`` as inputs and ``g(output)`` as outputs; every other handler (a plain callback
handler, ``astream_events``/``astream_log``) and the node itself see the real values, and the
graph run and child runs are untouched, as in LangGraph. A processor is called once per task
run, only when the run is traced; if it raises, the error is logged (logger
``nbstream.runtime._tracing``) and the real value is recorded. A processor that returns its
argument itself records it as if there were no policy.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.callbacks import BaseCallbackManager, CallbackManager, CallbackManagerForChainRun

from nbstream.graph._builder import END, START, Branch
from nbstream.graph._injection import Injects, injectable
from nbstream.runtime._task import PULL, Root
from nbstream.runtime.loop import Run, Task

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["TracedRun", "open_run", "subgraph_run", "tracing_wanted"]

_log = logging.getLogger(__name__)
_Manager = TypeVar("_Manager", CallbackManager, CallbackManagerForChainRun)

#: the task run a router runs under, in the thread (or asyncio task) running that task
#: (with the tags its routers' own config has)
_ROUTER_PARENT: ContextVar[tuple[CallbackManagerForChainRun, list[str]] | None] = ContextVar(
    "nbstream_router_parent", default=None
)

# what langchain-core's tracing switch reads (langsmith's get_env_var tries LANGSMITH_ then LANGCHAIN_)
_TRACING_ENV = ("LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING")


def tracing_wanted(callbacks: Any) -> bool:
    """Whether a call with ``config["callbacks"] == callbacks`` has any callback handler to serve.

    Cheap when the answer is no (a few dict and context-variable look-ups, ~1 us): with no tracing
    environment variable set, only context switches can have turned tracing on (langchain-core's
    debug flag and ``tracing_v2_enabled()``, LangSmith's ``tracing_context``/run tree, configure
    hooks such as ``collect_runs()``), and those are read directly. Anything unexpected falls back
    to asking langchain-core.
    """
    if callbacks:
        handlers = callbacks.handlers if isinstance(callbacks, BaseCallbackManager) else callbacks
        return any(not getattr(h, "_nbstream_messages", False) for h in handlers)
    if _tracing_env_set():
        return _asked()
    glob = sys.modules.get("langchain_core.globals")
    if glob is not None and glob.get_debug():
        return True
    context = sys.modules.get("langchain_core.tracers.context")
    if context is None:
        return False
    try:
        if context.tracing_v2_callback_var.get() is not None or _langsmith_context_on():
            return True
        hooks = context._configure_hooks
    except AttributeError:  # another langchain-core/langsmith layout: ask them
        return _asked()
    return _hooks_on(hooks)


def _environ_keys() -> tuple[Any, frozenset[Any]] | None:
    # os.environ's key test raises and catches a KeyError per miss (~0.8 us); its underlying dict
    # with encoded keys answers in nanoseconds and sees every change made through os.environ
    data = getattr(os.environ, "_data", None)
    encode = getattr(os.environ, "encodekey", None)
    if not isinstance(data, dict) or encode is None:
        return None
    return data, frozenset(encode(name) for name in _TRACING_ENV)


_ENVIRON = _environ_keys()


def _tracing_env_set() -> bool:
    """Whether one of LangSmith's tracing environment variables is set (to anything)."""
    if _ENVIRON is None:
        return any(name in os.environ for name in _TRACING_ENV)
    data, keys = _ENVIRON
    return any(key in data for key in keys)


def _langsmith_context_on() -> bool:
    """LangSmith's own context switches, as its ``tracing_is_enabled`` reads them (env vars aside)."""
    ls = sys.modules.get("langsmith._internal._context")
    if ls is None:
        return False
    enabled = ls._TRACING_ENABLED.get()
    if enabled is not None:
        return bool(enabled)
    return ls.get_current_run_tree() is not None or bool(ls._GLOBAL_TRACING_ENABLED)


def _asked() -> bool:
    """langchain-core's own answer: debug, LangSmith tracing, or a configure hook is on."""
    get_debug, tracing_v2_is_enabled, hooks = _switches or _load_switches()
    if get_debug() or tracing_v2_is_enabled():
        return True
    return _hooks_on(hooks)


def _hooks_on(hooks: list[Any]) -> bool:
    """Whether a langchain-core configure hook (``collect_runs()``...) is set or switched on by env."""
    environ = os.environ
    for var, _inheritable, handler_class, env_var in hooks:
        if var.get() is not None or (handler_class is not None and env_var and environ.get(env_var)):
            return True
    return False


_switches: tuple[Callable[[], Any], Callable[[], Any], list[Any]] | None = None


def _load_switches() -> tuple[Callable[[], Any], Callable[[], Any], list[Any]]:
    """langchain-core's switches that add handlers by themselves (debug, LangSmith, hooks)."""
    global _switches
    from langchain_core.globals import get_debug
    from langchain_core.tracers import context

    _switches = (get_debug, context._tracing_v2_is_enabled, context._configure_hooks)
    return _switches


def _graph_manager(config: dict[str, Any], callbacks: Any) -> CallbackManager:
    """The manager a graph run starts under, as LangGraph's ``get_callback_manager_for_config``."""
    metadata = dict(config.get("metadata") or {})
    for key, value in (config.get("configurable") or {}).items():
        # what langchain-core's ensure_config copies from the configurable into the metadata
        if (
            not key.startswith("__")
            and isinstance(value, str | int | float | bool)
            and key not in metadata
            and key != "api_key"
        ):
            metadata[key] = value
    manager = CallbackManager.configure(
        callbacks, None, inheritable_tags=config.get("tags"), inheritable_metadata=metadata
    )
    if "ls_integration" not in manager.metadata:
        manager.add_metadata({"ls_integration": "langgraph"})
    return manager


def open_run(
    graph: CompiledStateGraph,
    root: Root,
    ns: tuple[str, ...],
    parent_config: dict[str, Any] | None,
    user_callbacks: Any,
    traced_parent: bool = False,
) -> Run:
    """A call's run: a :class:`TracedRun` if it has callbacks to serve, else a plain ``Run``.

    ``user_callbacks`` are the call's own ``config["callbacks"]``; ``traced_parent`` says the call
    was made inside a task of a traced run (its callbacks then already nest it under that task).
    """
    if not traced_parent and not tracing_wanted(user_callbacks):
        return Run(graph, root, ns, parent_config)
    config = parent_config if parent_config is not None else root.user_config
    callbacks = root.callbacks if root.callbacks is not None else config.get("callbacks")
    manager = _graph_manager(config, callbacks)
    if root.callbacks is None:
        root.callbacks = manager  # so that every task gets a config (see Run.context)
    return TracedRun(graph, root, ns, parent_config, manager)


def subgraph_run(
    graph: CompiledStateGraph, parent: Run, ns: tuple[str, ...], config: dict[str, Any] | None
) -> Run:
    """The run of a subgraph node: traced when its parent run is."""
    if type(parent) is not TracedRun:
        return Run(graph, parent.root, ns, config)
    config = config or {}
    return TracedRun(graph, parent.root, ns, config, _graph_manager(config, config.get("callbacks")))


class TracedRun(Run):
    """A :class:`~nbstream.runtime.loop.Run` that reports itself, its tasks and routers as chain runs."""

    __slots__ = ("_graph_run", "_lambda_name", "_manager", "_node_runs", "_results")

    def __init__(
        self,
        graph: CompiledStateGraph,
        root: Root,
        ns: tuple[str, ...],
        parent_config: dict[str, Any] | None,
        manager: CallbackManager,
    ) -> None:
        super().__init__(graph, root, ns, parent_config)
        self._manager = manager
        self._graph_run: CallbackManagerForChainRun | None = None
        #: the open run of each started task, by task id (tasks may start and end on other threads)
        self._node_runs: dict[str, CallbackManagerForChainRun] = {}
        #: what each task's node returned, for its run's outputs
        self._results: dict[str, Any] = {}
        #: a nameless router's run name: LangGraph's sync path names it after its wrapper class,
        #: its async path (a run started inside an asyncio task) leaves it unnamed
        self._lambda_name: str | None = None if _in_asyncio_task() else "RunnableCallable"

    def _config(self) -> dict[str, Any]:
        return self.parent_config if self.parent_config is not None else self.root.user_config

    # -- the graph run ---------------------------------------------------------------------------
    def start(self, input: Any, *, route: bool = True) -> None:
        config = self._config()
        self._graph_run = graph_run = self._manager.on_chain_start(
            None, input, name=config.get("run_name") or self.graph.name, run_id=config.get("run_id")
        )
        if not self.graph.start_branches or not route:
            # an async START router (route=False) is awaited by the driver after this, untraced
            super().start(input, route=route)
            return
        # LangGraph runs START's routers in a hidden __start__ task of step 0
        manager = graph_run.get_child("graph:step:0")
        tags = config.get("tags")
        start_tags = [*(tags or ()), "langsmith:hidden"]
        manager.add_tags(start_tags)
        segment = f"{START}:{self.root.new_id()}"
        checkpoint_ns = f"{self.ns_str}|{segment}" if self.ns_str else segment
        manager.add_metadata(
            {
                **(config.get("metadata") or {}),
                "langgraph_step": 0,
                "langgraph_node": START,
                "langgraph_triggers": (START,),
                "langgraph_path": (PULL, START),
                "langgraph_checkpoint_ns": checkpoint_ns,
            }
        )
        start_run = manager.on_chain_start(None, input, name=START)
        token = _ROUTER_PARENT.set((start_run, start_tags))
        try:
            super().start(input)
        except BaseException as exc:
            start_run.on_chain_error(exc)
            raise
        finally:
            _ROUTER_PARENT.reset(token)
        self._tap(start_run, input)
        start_run.on_chain_end(input)

    def finish(self) -> Any:
        out = super().finish()
        if self._graph_run is not None:
            self._graph_run.on_chain_end(out)
        return out

    def fail(self, error: BaseException, cancelled: bool) -> None:
        for task_id in list(self._node_runs):  # tasks that never ended (stopped before they ran)
            self._node_runs.pop(task_id).on_chain_error(error)
        super().fail(error, cancelled)
        if self._graph_run is not None:
            self._graph_run.on_chain_error(error)

    # -- task runs -------------------------------------------------------------------------------
    def task_config(self, task: Task) -> dict[str, Any]:
        config = super().task_config(task)
        # as langchain-core's patch_config when it sets callbacks: the name and id were the task run's
        config.pop("run_name", None)
        config.pop("run_id", None)
        node_run = self._node_runs.get(task.id)
        if node_run is None:
            node_run = self._start_task(task, config)
        config["callbacks"] = node_run.get_child("seq:step:1")
        return config

    def _start_task(self, task: Task, config: dict[str, Any]) -> CallbackManagerForChainRun:
        assert self._graph_run is not None
        manager = self._graph_run.get_child(f"graph:step:{self.step}")
        tags = config.get("tags")
        if tags:
            manager.add_tags(list(tags))
        manager.add_metadata(config["metadata"])
        node = task.node
        if node.trace_policy is None:
            node_run = manager.on_chain_start(None, task.input, name=node.name)
        else:
            node_run = _start_recorded(manager, task.input, node.trace_policy.process_inputs, node.name)
        self._node_runs[task.id] = node_run
        return node_run

    def execute(self, task: Task, route: bool = True) -> None:
        if task.ctx is None:
            self.context(task)
        token = _ROUTER_PARENT.set(self._router_parent(task))
        try:
            super().execute(task, route)
        finally:
            _ROUTER_PARENT.reset(token)
        self._end_task(task)

    async def aexecute(self, task: Task) -> None:
        if task.ctx is None:
            self.context(task)
        token = _ROUTER_PARENT.set(self._router_parent(task))
        try:
            await super().aexecute(task)
        finally:
            _ROUTER_PARENT.reset(token)
        self._end_task(task)

    def _router_parent(self, task: Task) -> tuple[CallbackManagerForChainRun, list[str]] | None:
        node_run = self._node_runs.get(task.id)
        return None if node_run is None else (node_run, list(self._config().get("tags") or ()))

    def _absorb(self, task: Task, result: Any, route: bool = True) -> None:
        self._results[task.id] = result
        super()._absorb(task, result, route)

    def _end_task(self, task: Task) -> None:
        node_run = self._node_runs.pop(task.id, None)
        result = self._results.pop(task.id, None)
        if node_run is None:
            return
        if task.error is not None:
            node_run.on_chain_error(task.error)
            return
        self._tap(node_run, result)
        policy = task.node.trace_policy
        if policy is None:
            node_run.on_chain_end(result)
        else:
            _end_recorded(node_run, result, policy.process_outputs, task.node.name)

    @staticmethod
    def _tap(run: CallbackManagerForChainRun, output: Any) -> None:
        """Give streaming handlers (astream_events) ``output`` as the run's one stream chunk."""
        for handler in run.handlers:
            if _is_stream_handler(handler):
                chunks = handler.tap_output_iter(run.run_id, iter((output,)))  # type: ignore[attr-defined]
                for _ in chunks:
                    pass

    def complete(self, task: Task) -> None:
        node_run = self._node_runs.pop(task.id, None)
        if node_run is not None:  # cancelled before it ran
            node_run.on_chain_error(task.error or RuntimeError(f"task {task.node.name!r} did not run"))
        super().complete(task)

    # -- router runs -----------------------------------------------------------------------------
    def _route(self, branch: Any, state: Any, source: str, pulls: Any, sends: Any) -> None:
        parent = _ROUTER_PARENT.get()
        if parent is None:
            super()._route(branch, state, source, pulls, sends)
            return
        parent_run, tags = parent
        manager = parent_run.get_child(f"seq:step:{_router_position(self.graph, branch)}")
        if tags:  # as the router's own config would: the task's tags after seq:step:K
            manager.add_tags(tags)
        traced: Any = _TracedBranch(branch, manager, self._lambda_name)
        super()._route(traced, state, source, pulls, sends)


class _TracedBranch:
    """A branch whose ``path`` call is reported as a chain run under ``manager``."""

    __slots__ = ("_branch", "_lambda_name", "_manager", "path_map")

    def __init__(self, branch: Branch, manager: CallbackManager, lambda_name: str | None) -> None:
        self._branch = branch
        self._manager = manager
        self._lambda_name = lambda_name
        self.path_map = branch.path_map

    @property
    def path(self) -> Callable[..., Any]:
        return self._call

    @property
    def injects(self) -> Injects:
        """What the wrapped router takes by name (``_call`` passes it on)."""
        branch = self._branch
        if branch.injects is None:
            branch.injects = injectable(branch.path)
        return branch.injects

    def _call(self, state: Any, **kwargs: Any) -> Any:
        path = self._branch.path
        name = getattr(path, "__name__", None)
        if not name or name == "<lambda>":
            name = getattr(path, "name", None) or self._lambda_name
        run = self._manager.on_chain_start(None, state, name=name)
        try:
            result = path(state, **kwargs)
        except BaseException as exc:
            run.on_chain_error(exc)
            raise
        run.on_chain_end(result)
        return result


def _recorded(value: Any, process: Callable[[Any], Any] | None, node: str, what: str) -> Any:
    """What tracers record for ``value``: ``process(value)``, or ``value`` if there is none or it raised."""
    if process is None:
        return value
    try:
        return process(value)
    except Exception:  # the trace must never change the run: log it, record the real value
        _log.exception(
            "trace_policy.process_%s of node %r raised; its trace run records the real %s", what, node, what
        )
        return value


def _start_recorded(
    manager: CallbackManager, value: Any, process: Callable[[Any], Any] | None, name: str
) -> CallbackManagerForChainRun:
    """Start a node's run: tracers get the processed input, the other handlers ``value``."""
    recorded = _recorded(value, process, name, "inputs")
    if recorded is value:
        return manager.on_chain_start(None, value, name=name)
    real, tracers = _by_kind(manager)
    run = real.on_chain_start(None, value, name=name)
    tracers.on_chain_start(None, recorded, name=name, run_id=run.run_id)
    run.handlers = manager.handlers  # its end and its children reach every handler again
    return run


def _end_recorded(
    run: CallbackManagerForChainRun, value: Any, process: Callable[[Any], Any] | None, name: str
) -> None:
    """End a node's run: tracers get the processed output, the other handlers ``value``."""
    recorded = _recorded(value, process, name, "outputs")
    if recorded is value:
        run.on_chain_end(value)
        return
    real, tracers = _by_kind(run)
    tracers.on_chain_end(recorded)
    real.on_chain_end(value)


def _by_kind(manager: _Manager) -> tuple[_Manager, _Manager]:
    """``manager`` twice: with its handlers that are not tracers, and with its tracers (the handlers
    that record runs; a streaming tracer, astream_log's, feeds the caller's stream and is not one)."""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler
    from langchain_core.tracers.base import BaseTracer

    real, tracers = copy.copy(manager), copy.copy(manager)
    tracers.handlers = [
        h
        for h in manager.handlers
        if isinstance(h, BaseTracer) and _StreamingCallbackHandler not in type(h).__mro__
    ]
    real.handlers = [h for h in manager.handlers if h not in tracers.handlers]
    return real, tracers


def _router_position(graph: CompiledStateGraph, branch: Branch) -> int:
    """The ``seq:step`` index LangGraph gives ``branch``'s router among its source's writers."""
    builder = graph.builder
    source = branch.source
    index = 1 if source == START else 2  # __start__ has no node before its state write
    index += len({t for s, t in builder.edges if s == source and t != END})
    index += sum(1 for sources, _ in builder.joins if source in sources)
    for other in builder.branches:
        if other.source == source:
            index += 1
            if other is branch:
                break
    return index


def _in_asyncio_task() -> bool:
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no running event loop in this thread
        return False


def _is_stream_handler(handler: Any) -> bool:
    """Handlers that want a run's output chunks (astream_events'), not our messages handler."""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler

    return isinstance(handler, _StreamingCallbackHandler)
