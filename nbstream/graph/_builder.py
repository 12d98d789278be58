"""``StateGraph``: the builder. It records nodes and edges and checks them at ``compile()``."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbstream._policies import TimeoutPolicy
from nbstream.errors import GraphBuildError
from nbstream.graph._arguments import deprecated, no_other_kwargs, refuse, retry_policies
from nbstream.graph._hints import (
    command_targets,
    is_async_callable,
    name_of,
    schema_hints,
)
from nbstream.graph._injection import warn_config_annotation
from nbstream.graph._state import Channel, SchemaInfo, schema_info

__all__ = ["StateGraph", "START", "END", "NodeSpec", "Branch", "DEFAULT_ERROR_HANDLER"]

START = "__start__"
END = "__end__"
_RESERVED = (START, END)
#: the node LangGraph adds for ``set_node_defaults(error_handler=...)``; a node's own handler is
#: ``__error_handler__<node>``
DEFAULT_ERROR_HANDLER = "__default_error_handler__"
HANDLER_PREFIX = "__error_handler__"


@dataclass(slots=True)
class NodeSpec:
    """A node as added: its callable (or compiled subgraph) and user metadata."""

    name: str
    action: Any
    metadata: dict[str, Any]
    input_schema: Any = None
    #: run only when nothing else is left to run (LangGraph's ``defer=True``)
    defer: bool = False
    #: retry policies, the first whose ``retry_on`` matches the error applies; () = no retries
    retry_policy: tuple[Any, ...] = ()
    cache_policy: Any = None
    #: where the node may go (``destinations=``, or its ``-> Command[Literal[...]]`` hint), for drawing
    ends: tuple[str, ...] = ()
    #: edge labels from ``destinations={target: label}``
    labels: dict[str, str] = field(default_factory=dict)
    #: the name of the node that runs when this one fails (``error_handler=``), else None
    error_handler: str | None = None
    #: whether this node is an error handler (``__error_handler__<node>``): it is never the target of
    #: an edge, and never has a handler of its own
    is_error_handler: bool = False
    #: the node's own ``TimeoutPolicy`` (coerced), else None: ``compile()`` then applies the default
    timeout: Any = None
    #: ``trace_policy=``: what the node's own trace run records (see runtime._tracing), else None
    trace_policy: Any = None


@dataclass(slots=True)
class Branch:
    """A conditional edge: ``path(state)`` picks the next node(s), optionally through ``path_map``."""

    source: str
    path: Callable[..., Any]
    path_map: dict[Hashable, str] | None
    ends: tuple[str, ...] = field(default=())
    #: an ``async def`` router: awaited in async runs; a sync run refuses it, as LangGraph does
    is_async: bool = False
    #: whether ``path`` takes ``config``, ``writer``, ``runtime``, ``store``, ``previous`` (filled in once,
    #: see nbstream.graph._injection)
    injects: tuple[bool, bool, bool, bool, bool] | None = field(default=None, compare=False)
    #: the schema the router reads, from its first parameter's hint (else its source node's input)
    input_info: SchemaInfo | None = field(default=None, compare=False)


class StateGraph:
    """Build a graph whose nodes read and update a shared state.

    ``schema`` (a TypedDict, dataclass or pydantic model) declares the state keys; a key annotated
    ``Annotated[T, reducer]`` merges writes with ``reducer``, a plain key keeps the last write.
    ``input_schema`` / ``output_schema`` restrict what ``invoke`` takes and returns.
    """

    def __init__(
        self,
        state_schema: Any,
        context_schema: Any = None,
        *,
        input_schema: Any = None,
        output_schema: Any = None,
        **kwargs: Any,
    ) -> None:
        context_schema = deprecated(kwargs, "config_schema", "context_schema", "V10", context_schema)
        input_schema = deprecated(kwargs, "input", "input_schema", "V05", input_schema)
        output_schema = deprecated(kwargs, "output", "output_schema", "V05", output_schema)
        no_other_kwargs("StateGraph()", kwargs)
        self.state_schema = state_schema
        self.state_info, channels = schema_info(state_schema)
        self.input_info = self.state_info
        self.output_info = self.state_info
        self.channels: dict[str, Channel] = dict(channels)
        if input_schema is not None:
            self.input_info = self._add_schema(input_schema)
        if output_schema is not None:
            self.output_info = self._add_schema(output_schema)
        self.input_schema = input_schema if input_schema is not None else state_schema
        self.output_schema = output_schema if output_schema is not None else state_schema
        self.context_schema = context_schema
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: list[tuple[str, str]] = []
        self.joins: list[tuple[tuple[str, ...], str]] = []
        self.branches: list[Branch] = []
        self._node_retry: tuple[Any, ...] = ()
        self._node_cache: Any = None
        #: ``set_node_defaults(error_handler=...)``: becomes the node DEFAULT_ERROR_HANDLER at compile
        self._node_error_handler: Any = None
        #: ``set_node_defaults(timeout=...)``: applied at compile to every node without its own
        #: (error handlers included, as LangGraph applies it)
        self._node_timeout: Any = None

    def _add_schema(self, schema: Any) -> SchemaInfo:
        """Read another schema of the graph (input, output, a node's): its keys become channels too."""
        info, extra = schema_info(schema)
        for key, channel in extra.items():
            existing = self.channels.get(key)
            if existing is None:
                self.channels[key] = channel
            elif existing != channel and channel.reducer is not None:
                raise GraphBuildError(f"Channel '{key}' already exists with a different type")
        return info

    # -- nodes -------------------------------------------------------------------------------
    def add_node(
        self,
        node: str | Callable[..., Any] | Any,
        action: Any = None,
        *,
        defer: bool = False,
        metadata: dict[str, Any] | None = None,
        input_schema: Any = None,
        retry_policy: Any = None,
        cache_policy: Any = None,
        error_handler: Any = None,
        destinations: dict[str, str] | tuple[str, ...] | None = None,
        timeout: Any = None,
        trace_policy: Any = None,
        **kwargs: Any,
    ) -> StateGraph:
        """Add a node: ``add_node(fn)`` names it after the function, ``add_node(name, fn)`` explicitly.

        ``fn`` may be sync or async, may declare ``config``, ``writer`` and ``runtime`` parameters
        (injected by name), or may be a compiled graph, which then runs as a subgraph. Its input is
        ``input_schema``, else the type hint of its first parameter when that is a schema class,
        else the graph's state. ``defer=True`` runs it only when nothing else is left to run;
        ``retry_policy`` retries it on the errors the policy names; ``cache_policy`` caches its
        writes by input when the graph is compiled with a ``cache``. ``error_handler`` runs, in
        the same step, when the node still fails after its retries: it is added as the node
        ``__error_handler__<name>``, gets the failed node's input (and the failure as an ``error:
        NodeError`` parameter), and its return value is a state update or a ``Command``.
        ``timeout`` (seconds, a ``timedelta`` or a ``TimeoutPolicy``) limits each attempt of an async
        node: past it the attempt is cancelled and fails with ``NodeTimeoutError`` (see
        ``nbstream.runtime._timeouts``); ``compile()`` refuses it on a sync node, as LangGraph does.
        ``trace_policy`` (a ``TracePolicy``) changes what tracers (LangSmith's, any ``BaseTracer``)
        record as the node run's inputs and outputs, never what the node gets or returns (see
        ``nbstream.runtime._tracing``).
        """
        retry_policy = deprecated(kwargs, "retry", "retry_policy", "V05", retry_policy)
        input_schema = deprecated(kwargs, "input", "input_schema", "V05", input_schema)
        no_other_kwargs("add_node()", kwargs)
        timeout = TimeoutPolicy.coerce(timeout)
        if action is None:
            if isinstance(node, str):
                raise GraphBuildError(f"add_node({node!r}) needs an action: add_node(name, function)")
            action = node
            name = name_of(node)
        elif isinstance(node, str):
            name = node
        else:
            raise GraphBuildError(f"add_node's first argument must be a name or a callable; got {node!r}")
        if not callable(action) and not hasattr(action, "invoke"):
            raise GraphBuildError(f"node {name!r}: action {action!r} is not callable")
        if name in _RESERVED:
            raise GraphBuildError(f"node name {name!r} is reserved; pick another name")
        if not name or any(ch in name for ch in "|:"):
            raise GraphBuildError(f"node name {name!r} is invalid: it must be non-empty, without '|' or ':'")
        if name in self.nodes:
            raise GraphBuildError(f"node {name!r} is already in the graph; node names must be unique")
        _check_injections(action, f"node {name!r}")
        _check_trace_policy(trace_policy, name)
        inferred_input, output_hint = schema_hints(action)
        if input_schema is None:
            input_schema = inferred_input
        if input_schema is not None:
            self._add_schema(input_schema)
        if output_hint is not None:
            # nbstream keeps what a node's return hint declares (LangGraph drops writes to such keys)
            self._add_schema(output_hint)
        policies = self._node_retry if retry_policy is None else retry_policies(retry_policy)
        ends = tuple(destinations) if destinations is not None else command_targets(action) or ()
        handler_name = None
        if error_handler is not None:
            # as LangGraph: the handler is a node of its own, added just before the node it serves
            handler_name = self._add_error_handler(HANDLER_PREFIX + name, error_handler, input_schema)
        self.nodes[name] = NodeSpec(
            name,
            action,
            dict(metadata or {}),
            input_schema,
            bool(defer),
            policies,
            cache_policy if cache_policy is not None else self._node_cache,
            ends,
            dict(destinations) if isinstance(destinations, dict) else {},
            handler_name,
            timeout=timeout,
            trace_policy=trace_policy,
        )
        return self

    def _add_error_handler(self, name: str, handler: Any, input_schema: Any) -> str:
        """Add an error handler as the node ``name`` (it takes the input of the node it serves)."""
        if not callable(handler) and not hasattr(handler, "invoke"):
            raise GraphBuildError(f"node {name!r}: error_handler {handler!r} is not callable")
        existing = self.nodes.get(name)
        if existing is not None and not (name == DEFAULT_ERROR_HANDLER and existing.is_error_handler):
            what = "default error handler node" if name == DEFAULT_ERROR_HANDLER else "error handler node"
            raise ValueError(f"Auto-generated {what} `{name}` already exists.")
        _check_injections(handler, f"error handler {name!r}", stacklevel=3)
        # retries as for any node added now; never a cache (a handler's input is the failed one's)
        self.nodes[name] = NodeSpec(name, handler, {}, input_schema, retry_policy=self._node_retry,
                                    is_error_handler=True)
        return name

    def set_node_defaults(
        self,
        *,
        retry_policy: Any = None,
        cache_policy: Any = None,
        error_handler: Any = None,
        timeout: Any = None,
    ) -> StateGraph:
        """Retry and cache policies for the nodes added after this call that do not set their own.

        ``error_handler`` is the handler of every node without one of its own (error handlers
        excepted: a handler that fails fails the run); ``compile()`` adds it as the node
        ``__default_error_handler__``. ``timeout`` applies at ``compile()`` to every node without
        its own, error handlers included (as LangGraph's), whenever the node was added.
        """
        if timeout is not None:
            self._node_timeout = TimeoutPolicy.coerce(timeout)
        if retry_policy is not None:
            self._node_retry = retry_policies(retry_policy)
        if cache_policy is not None:
            self._node_cache = cache_policy
        if error_handler is not None:
            self._node_error_handler = error_handler
        return self

    def add_sequence(self, nodes: Sequence[Callable[..., Any] | tuple[str, Any]]) -> StateGraph:
        """Add nodes and chain them with edges, in order."""
        if not nodes:
            raise GraphBuildError("add_sequence needs at least one node")
        previous: str | None = None
        for item in nodes:
            if isinstance(item, tuple):
                name, action = item
                self.add_node(name, action)
            else:
                name = name_of(item)
                self.add_node(name, item)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    # -- edges -------------------------------------------------------------------------------
    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph:
        """Add an edge; ``add_edge([a, b], c)`` is a join: ``c`` runs once both ``a`` and ``b`` ran."""
        if isinstance(start_key, str):
            if start_key == END:
                raise GraphBuildError("END cannot be the start of an edge")
            if end_key == START:
                raise GraphBuildError("START cannot be the end of an edge")
            self.edges.append((start_key, end_key))
            return self
        sources = tuple(start_key)
        if not sources:
            raise GraphBuildError(f"add_edge([...], {end_key!r}): the list of sources is empty")
        if START in sources or END in sources or end_key in (START, END):
            raise GraphBuildError(f"a join edge {list(sources)!r} -> {end_key!r} cannot involve START or END")
        self.joins.append((sources, end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: dict[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """After ``source``, call ``path(state)`` to choose the next node(s), ``END``, or ``Send``s."""
        if not callable(path):
            raise GraphBuildError(f"add_conditional_edges({source!r}, ...): path {path!r} is not callable")
        mapping: dict[Hashable, str] | None
        if path_map is None:
            mapping = None
        elif isinstance(path_map, dict):
            mapping = dict(path_map)
        else:
            mapping = {name: name for name in path_map}
        _check_injections(path, f"the router after {source!r}")
        schema = schema_hints(path)[0]
        info = self._add_schema(schema) if schema is not None else None
        branch = Branch(source, path, mapping, is_async=is_async_callable(path), input_info=info)
        self.branches.append(branch)
        return self

    def set_entry_point(self, key: str) -> StateGraph:
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self, path: Callable[..., Any], path_map: dict[Hashable, str] | Sequence[str] | None = None
    ) -> StateGraph:
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph:
        return self.add_edge(key, END)

    # -- compile -----------------------------------------------------------------------------
    def validate(self, interrupt: Sequence[str] | None = None) -> StateGraph:
        """Raise :class:`GraphBuildError` naming the first problem found in the graph.

        A node that no edge leads to is accepted, as LangGraph accepts it: a ``Send``, an unannotated
        ``Command(goto=...)`` or a subgraph's ``Command.PARENT`` may still reach it.
        """
        for name in interrupt or ():
            if name not in self.nodes:
                raise GraphBuildError(f"Interrupt node `{name}` not found")
        known = set(self.nodes)
        for source, target in self.edges:
            if source != START and source not in known:
                raise GraphBuildError(f"edge {source!r} -> {target!r}: unknown source node {source!r}")
            if target != END and target not in known:
                raise GraphBuildError(f"edge {source!r} -> {target!r}: unknown target node {target!r}")
        for sources, target in self.joins:
            for s in sources:
                if s not in known:
                    raise GraphBuildError(f"join edge {list(sources)!r} -> {target!r}: unknown node {s!r}")
            if target not in known:
                raise GraphBuildError(f"join edge {list(sources)!r} -> {target!r}: unknown node {target!r}")
        for branch in self.branches:
            if branch.source != START and branch.source not in known:
                raise GraphBuildError(f"conditional edge from unknown node {branch.source!r}")
            if branch.path_map is not None:
                for value in branch.path_map.values():
                    if value != END and value not in known:
                        raise GraphBuildError(
                            f"conditional edge from {branch.source!r}: path_map names unknown node "
                            f"{value!r}; known nodes: {sorted(known)}"
                        )
        if not any(s == START for s, _ in self.edges) and not any(b.source == START for b in self.branches):
            raise GraphBuildError(
                "the graph has no entry point: add an edge from START, e.g. add_edge(START, "
                f"{next(iter(self.nodes), 'first_node')!r})"
            )
        return self

    def compile(
        self,
        checkpointer: Any = None,
        *,
        cache: Any = None,
        store: Any = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        debug: bool = False,
        name: str | None = None,
        transformers: Any = None,
    ) -> Any:
        """Check the graph and return a runnable :class:`~nbstream.graph.CompiledStateGraph`.

        ``cache`` is any ``langgraph.cache.base.BaseCache`` (e.g. ``InMemoryCache()``); the nodes
        with a ``cache_policy`` use it. ``checkpointer`` is any langgraph-checkpoint saver (threads,
        ``get_state``, ``interrupt()``); ``True``/``False`` on a subgraph. ``store`` is any
        ``langgraph.store.base.BaseStore`` (e.g. ``InMemoryStore()``): nodes reach it with
        ``get_store()``, ``runtime.store`` or a ``store`` parameter; a subgraph uses its parent's.
        ``transformers`` is refused with :class:`~nbstream.errors.NotSupportedError`.
        """
        from nbstream.runtime.compiled import CompiledStateGraph

        saver_methods = ("get_tuple", "put", "put_writes", "get_next_version")
        is_saver = isinstance(checkpointer, bool) or all(hasattr(checkpointer, m) for m in saver_methods)
        if checkpointer is not None and not is_saver:
            raise TypeError(
                f"compile(checkpointer={checkpointer!r}): expected a langgraph-checkpoint saver "
                "(BaseCheckpointSaver) such as langgraph.checkpoint.memory.InMemorySaver(), or "
                "True/False for a subgraph"
            )
        refuse("compile", transformers=transformers)
        store_methods = ("batch", "abatch", "get", "put", "search")
        if store is not None and not all(hasattr(store, m) for m in store_methods):
            raise TypeError(
                f"compile(store={store!r}): expected a langgraph.store.base.BaseStore such as "
                "langgraph.store.memory.InMemoryStore()"
            )
        if cache is not None and not all(hasattr(cache, m) for m in ("get", "set", "aget", "aset")):
            raise TypeError(
                f"compile(cache={cache!r}): expected a langgraph.cache.base.BaseCache such as "
                "langgraph.cache.memory.InMemoryCache()"
            )
        self.validate()
        if self._node_error_handler is not None:
            # as LangGraph, compile() adds it to the builder's nodes (compiling again replaces it)
            self._add_error_handler(DEFAULT_ERROR_HANDLER, self._node_error_handler, None)
        if not debug:  # as LangGraph: langchain-core's set_debug(True) turns it on for all graphs
            from langchain_core.globals import get_debug

            debug = get_debug()
        for option, nodes in (("interrupt_before", interrupt_before), ("interrupt_after", interrupt_after)):
            if nodes and nodes != "*":
                unknown = [n for n in nodes if n not in self.nodes]
                if unknown:
                    raise ValueError(
                        f"compile({option}=...): node {unknown[0]!r} is not in the graph; its nodes: "
                        f"{list(self.nodes)}"
                    )
        return CompiledStateGraph(
            self,
            name or "LangGraph",
            cache=cache,
            store=store,
            debug=bool(debug),
            checkpointer=checkpointer,
            interrupt_before=interrupt_before or (),
            interrupt_after=interrupt_after or (),
        )


def _check_injections(action: Any, where: str, stacklevel: int = 2) -> None:
    """Warn, from the user's call, about a ``config`` parameter the runner will not fill.

    A compiled graph or a Runnable is called with its config, not by parameter name: not checked."""
    if getattr(action, "_nbstream_compiled", False):
        return
    if hasattr(action, "invoke") and hasattr(action, "ainvoke"):
        return
    warn_config_annotation(action, where, stacklevel + 1)


def _check_trace_policy(policy: Any, node: str) -> None:
    """Refuse, at ``add_node``, a ``trace_policy`` that is not a TracePolicy of callables."""
    if policy is None:
        return
    processors = [getattr(policy, f, _NOT_SET) for f in ("process_inputs", "process_outputs")]
    if any(p is _NOT_SET or (p is not None and not callable(p)) for p in processors):
        raise TypeError(
            f"add_node({node!r}, trace_policy={policy!r}): expected a TracePolicy whose process_inputs "
            "and process_outputs are callables or None, e.g. TracePolicy(process_inputs=omit_payload) "
            "(from nbstream.types import TracePolicy, omit_payload)"
        )


_NOT_SET = object()
