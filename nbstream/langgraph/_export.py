"""``compiled.to_langgraph()``: the LangGraph graph equivalent to a compiled nbstream graph.

A graph prototyped on nbstream graduates to LangGraph (and LangGraph Server, whose ``langgraph.json``
points at a module that calls this) without being rewritten. The export reads the nbstream builder
and replays it on LangGraph's ``StateGraph``: the same state/input/output/context schemas (so the
same reducers), the same nodes with their options (``defer``, ``metadata``, ``input_schema``,
``destinations``, retry, cache and trace policies, error handlers, the default one included), edges,
joins, conditional edges with their path maps, and the same compile options (checkpointer,
cache, store, ``interrupt_before``/``interrupt_after``, ``name``, ``debug``). A compiled nbstream
graph used as a node is exported the same way, once.

The node and router functions run unchanged under LangGraph; each is wrapped once, here, so that:

* what it returns that is nbstream's becomes LangGraph's: a ``Command`` (its ``goto`` ``Send``\\ s and
  its update's ``Overwrite``\\ s too), a list of them, a ``Send`` from a router, an ``Overwrite``
  written to a reducer key. The check is one class test on the return value, plus one per key of a
  dict written by a graph that has reducer keys;
* what it raises that is nbstream's control flow becomes LangGraph's: ``ParentCommand`` and
  ``GraphInterrupt`` (``NodeInterrupt``); any other exception passes through unchanged;
* it gets the ``config``, ``writer``, ``runtime``, ``store`` and ``previous`` arguments nbstream
  would give it (nbstream fills them under LangGraph's annotation rule, see
  ``nbstream.graph._injection``), declared unannotated so that LangGraph fills them too.

Inside such a node nbstream's ``interrupt()``, ``get_stream_writer()``, ``get_config()``,
``get_store()`` and ``get_runtime()`` defer to LangGraph's own (see :func:`langgraph_accessor`);
the wrapper hides an nbstream task that invoked the LangGraph graph, so they never answer for it.

Refused with :class:`~nbstream.errors.NotSupportedError`, naming the node or key: nbstream's own
prebuilt runnables (``ToolNode`` and the like run on nbstream's task context only) and managed keys
(``RemainingSteps``, ``IsLastStep``) in a dataclass or pydantic schema (a TypedDict schema is
re-declared with LangGraph's markers).

``langgraph`` is imported when :func:`to_langgraph` runs, never by ``import nbstream``.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbstream._policies import default_cache_key, default_retry_on
from nbstream.errors import GraphInterrupt, NodeError, NotSupportedError, ParentCommand
from nbstream.graph._injection import injectable
from nbstream.managed import managed_kind
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._node import takes_node_error
from nbstream.runtime._persist import graph_referred_to
from nbstream.types import Command, Overwrite, Send

if TYPE_CHECKING:
    from nbstream.graph._builder import NodeSpec
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["to_langgraph", "langgraph_accessor"]

_INSTALL = "to_langgraph() needs LangGraph: pip install nbstream[langgraph]"


def to_langgraph(graph: CompiledStateGraph) -> Any:
    """The LangGraph ``CompiledStateGraph`` built from ``graph``'s builder and compile options."""
    try:
        import langgraph.graph  # noqa: F401
    except ImportError as error:
        raise ImportError(_INSTALL) from error
    return _Exporter().graph(graph)


def langgraph_accessor(name: str) -> Callable[..., Any] | None:
    """LangGraph's own ``name`` (``get_config``, ``get_stream_writer``, ``get_store``,
    ``get_runtime``, ``interrupt``) when the calling code runs in a LangGraph task, else ``None``.

    nbstream's accessors call this only when no nbstream task is running, so an nbstream graph
    exported with :func:`to_langgraph` keeps working under LangGraph.
    """
    from langchain_core.runnables.config import var_child_runnable_config

    config = var_child_runnable_config.get()
    # a LangGraph task's config carries its runtime under this key (LangGraph's CONFIG_KEY_RUNTIME)
    if not config or "__pregel_runtime" not in (config.get("configurable") or {}):
        return None
    if name == "interrupt":
        from langgraph.types import interrupt

        return interrupt
    if name == "get_runtime":
        from langgraph.runtime import get_runtime

        return get_runtime
    import langgraph.config

    accessor: Callable[..., Any] = getattr(langgraph.config, name)
    return accessor


class _Exporter:
    """One export: LangGraph's classes, and the schemas and subgraphs already translated."""

    def __init__(self) -> None:
        import langgraph.errors
        import langgraph.types
        from langgraph.graph import StateGraph

        self.StateGraph = StateGraph
        self.types: Any = langgraph.types
        self.errors: Any = langgraph.errors
        self.schemas: dict[Any, Any] = {}
        #: exported subgraphs by id: a compiled graph used by several nodes is exported once
        self.graphs: dict[int, Any] = {}

    # -- graphs ---------------------------------------------------------------------------------
    def graph(self, compiled: CompiledStateGraph) -> Any:
        done = self.graphs.get(id(compiled))
        if done is not None:
            return done
        builder = compiled.builder
        state = self.schema(builder.state_schema)
        out = self.StateGraph(
            state,
            context_schema=builder.context_schema,
            input_schema=self.schema(builder.input_schema),
            output_schema=self.schema(builder.output_schema),
        )
        translate = _Translator(self, frozenset(k for k, ch in compiled.channels.items() if ch.reducer))
        default_handler = builder._node_error_handler
        if default_handler is not None:
            out.set_node_defaults(error_handler=self.handler(default_handler, translate))
        if builder._node_timeout is not None:
            out.set_node_defaults(timeout=self.timeout(builder._node_timeout))
        for spec in builder.nodes.values():
            if not spec.is_error_handler:  # LangGraph adds its own, from error_handler=
                handler = builder.nodes[spec.error_handler].action if spec.error_handler else None
                self.node(out, spec, state, translate, handler)
        for source, target in builder.edges:
            out.add_edge(source, target)
        for sources, target in builder.joins:
            out.add_edge(list(sources), target)
        for branch in builder.branches:
            router = _wrap(branch.path, translate, branch.is_async, router=True)
            out.add_conditional_edges(branch.source, router, branch.path_map)
        exported = out.compile(
            checkpointer=compiled.checkpointer,
            cache=compiled.cache,
            store=compiled.store,
            interrupt_before=_breakpoints(compiled.interrupt_before_nodes),
            interrupt_after=_breakpoints(compiled.interrupt_after_nodes),
            debug=compiled.debug,
            name=compiled.name,
        )
        self.graphs[id(compiled)] = exported
        return exported

    def node(
        self, out: Any, spec: NodeSpec, state: Any, translate: _Translator, handler: Any = None
    ) -> None:
        action = spec.action
        if getattr(action, "_nbstream_compiled", False):
            action = self.graph(action)
        elif type(action).__module__.startswith("nbstream."):
            raise NotSupportedError(
                f"to_langgraph(): node {spec.name!r} is nbstream's {type(action).__name__} "
                "(nbstream.prebuilt: ToolNode and create_react_agent's nodes), which runs on nbstream's "
                "runtime only; in the graph you export, use langgraph.prebuilt's ToolNode / "
                "create_react_agent instead"
            )
        elif not (hasattr(action, "invoke") and hasattr(action, "ainvoke")):
            held = graph_referred_to(action)
            twin = self.graph(held) if held is not None else None
            action = _wrap(action, translate, _is_coroutine(action), router=False, held=twin)
        out.add_node(
            spec.name,
            action,
            defer=spec.defer,
            metadata=dict(spec.metadata) or None,
            # always given: LangGraph's own inference never gets to differ from nbstream's
            input_schema=self.schema(spec.input_schema) if spec.input_schema is not None else state,
            retry_policy=[self.retry(p) for p in spec.retry_policy] or None,
            cache_policy=self.cache(spec.cache_policy),
            destinations=dict(spec.labels) or spec.ends or None,
            error_handler=self.handler(handler, translate) if handler is not None else None,
            timeout=self.timeout(spec.timeout),
            trace_policy=self.trace(spec.trace_policy),
        )

    def handler(self, action: Any, translate: _Translator) -> Any:
        """An error handler as LangGraph calls it: a node function that may take ``error: NodeError``."""
        if getattr(action, "_nbstream_compiled", False):
            return self.graph(action)
        if hasattr(action, "invoke") and hasattr(action, "ainvoke"):
            return action
        return _wrap(action, translate, _is_coroutine(action), router=False)

    # -- options --------------------------------------------------------------------------------
    def retry(self, policy: Any) -> Any:
        fields = policy._asdict()
        if fields["retry_on"] is default_retry_on:
            fields["retry_on"] = self.types.default_retry_on
        return self.types.RetryPolicy(**fields)

    def trace(self, policy: Any) -> Any:
        if policy is None:
            return None
        inputs, outputs = policy.process_inputs, policy.process_outputs
        return self.types.TracePolicy(process_inputs=inputs, process_outputs=outputs)

    def timeout(self, policy: Any) -> Any:
        if policy is None:
            return None
        return self.types.TimeoutPolicy(
            run_timeout=policy.run_timeout, idle_timeout=policy.idle_timeout, refresh_on=policy.refresh_on
        )

    def cache(self, policy: Any) -> Any:
        if policy is None:
            return None
        key_func = policy.key_func
        if key_func is default_cache_key:
            key_func = self.types.default_cache_key
        return self.types.CachePolicy(key_func=key_func, ttl=policy.ttl)

    # -- schemas --------------------------------------------------------------------------------
    def schema(self, schema: Any) -> Any:
        """``schema`` itself, or for a TypedDict with nbstream's managed keys the same TypedDict
        declared with LangGraph's markers (LangGraph recognises only its own)."""
        if schema is None or not isinstance(schema, type):
            return schema
        known = self.schemas.get(schema)
        if known is not None:
            return known
        hints = typing.get_type_hints(schema, include_extras=True)
        managed = {k: kind for k, h in hints.items() if (kind := managed_kind(h)) is not None}
        if not managed or all(_is_langgraph_marker(hints[k]) for k in managed):
            self.schemas[schema] = schema
            return schema
        if dataclasses.is_dataclass(schema) or hasattr(schema, "model_fields"):
            key = next(iter(managed))
            raise NotSupportedError(
                f"to_langgraph(): state key {key!r} of {schema.__name__} is nbstream's managed value "
                f"({managed[key]}) in a dataclass or pydantic schema; import RemainingSteps/IsLastStep "
                "from langgraph.managed in that schema (nbstream reads LangGraph's markers too)"
            )
        from typing import NotRequired, Required

        from langgraph.managed import IsLastStep, RemainingSteps
        from typing_extensions import TypedDict

        optional: frozenset[str] = getattr(schema, "__optional_keys__", frozenset())
        fields: dict[str, Any] = {}
        for key, hint in hints.items():
            if key in managed:
                hint = RemainingSteps if managed[key] == "remaining_steps" else IsLastStep
                hint = NotRequired[hint] if key in optional else Required[hint]
            fields[key] = hint
        rebuilt: Any = TypedDict(schema.__name__, fields)  # type: ignore[misc]
        rebuilt.__module__, rebuilt.__doc__ = schema.__module__, schema.__doc__
        self.schemas[schema] = rebuilt
        return rebuilt


class _Translator:
    """Turns nbstream's return values and control-flow errors into LangGraph's, for one graph."""

    __slots__ = ("errors", "reducer_keys", "types")

    def __init__(self, exporter: _Exporter, reducer_keys: frozenset[str]) -> None:
        self.types: Any = exporter.types
        self.errors: Any = exporter.errors
        #: only a reducer key reads an Overwrite; a plain key stores whatever it gets, as nbstream does
        self.reducer_keys = reducer_keys

    def node(self, value: Any) -> Any:
        """A node's return value, as LangGraph reads it."""
        cls = value.__class__
        if cls is dict:
            return self.update(value) if self.reducer_keys else value
        if cls is Command:
            return self.command(value)
        if (cls is list or cls is tuple) and any(item.__class__ is Command for item in value):
            return [self.command(item) if item.__class__ is Command else item for item in value]
        return value

    def route(self, value: Any) -> Any:
        """A router's return value: nbstream's ``Send``\\ s become LangGraph's."""
        cls = value.__class__
        if cls is Send:
            return self.send(value)
        if (cls is list or cls is tuple) and any(item.__class__ is Send for item in value):
            return [self.send(i) if i.__class__ is Send else i for i in value]
        return value

    def send(self, send: Send) -> Any:
        """LangGraph's ``Send``, its ``timeout=`` included."""
        policy = send.timeout
        if policy is None:
            return self.types.Send(send.node, send.arg)
        timeout = self.types.TimeoutPolicy(
            run_timeout=policy.run_timeout, idle_timeout=policy.idle_timeout, refresh_on=policy.refresh_on
        )
        return self.types.Send(send.node, send.arg, timeout=timeout)

    def update(self, update: dict[str, Any]) -> dict[str, Any]:
        keys = self.reducer_keys
        for key, value in update.items():
            if value.__class__ is Overwrite and key in keys:
                Lg = self.types.Overwrite
                return {
                    k: Lg(v.value) if v.__class__ is Overwrite and k in keys else v for k, v in update.items()
                }
        return update

    def command(self, command: Command[Any]) -> Any:
        update = command.update
        if update.__class__ is dict and self.reducer_keys:
            update = self.update(update)
        elif isinstance(update, list | tuple):
            keys, Lg = self.reducer_keys, self.types.Overwrite
            update = [
                (k, Lg(v.value)) if v.__class__ is Overwrite and k in keys else (k, v) for k, v in update
            ]
        goto = command.goto
        if isinstance(goto, Send):
            goto = self.send(goto)
        elif isinstance(goto, list | tuple):
            goto = [self.send(g) if isinstance(g, Send) else g for g in goto]
        return self.types.Command(graph=command.graph, update=update, resume=command.resume, goto=goto)

    def signal(self, signal: ParentCommand | GraphInterrupt) -> BaseException:
        """nbstream's control-flow exception as LangGraph's."""
        error: BaseException
        if isinstance(signal, ParentCommand):
            error = self.errors.ParentCommand(self.command(signal.command))
        else:
            Interrupt = self.types.Interrupt
            asked = signal.args[0] if signal.args else ()
            error = self.errors.GraphInterrupt([Interrupt(value=i.value, id=i.id) for i in asked])
        return error


def _nb_node_error(error: Any) -> Any:
    """LangGraph's ``NodeError`` as nbstream's (the function was written against nbstream)."""
    return NodeError(error.node, error.error) if error is not None else None


def _wrap(
    fn: Callable[..., Any], translate: _Translator, is_async: bool, *, router: bool, held: Any = None
) -> Any:
    """``fn`` as LangGraph calls it: the arguments nbstream would inject, its return and
    nbstream's control-flow errors translated (see the module docstring).

    ``held``: the exported twin of the nbstream graph ``fn`` refers to. LangGraph finds the graph
    whose checkpoints a node holds among the names its function's source loads, so the wrapper
    loads it (``_ = held``): the exported node holds that graph's state as the nbstream node does."""
    names = ("config", "writer", "runtime", "store", "previous")
    wants = [name for name, wanted in zip(names, injectable(fn), strict=True) if wanted]
    takes_error = takes_node_error(fn)
    out, signal = (translate.route if router else translate.node), translate.signal
    if is_async:

        async def call_async(state: Any, **injected: Any) -> Any:
            _ = held  # read by LangGraph's subgraph finder (see the docstring)
            nested = CURRENT_TASK.get() is not None  # LangGraph invoked from an nbstream node
            token = CURRENT_TASK.set(None) if nested else None
            if takes_error:
                injected["error"] = _nb_node_error(injected.get("error"))
            try:
                return out(await fn(state, **injected))
            except (ParentCommand, GraphInterrupt) as error:
                raise signal(error) from None
            finally:
                if token is not None:
                    CURRENT_TASK.reset(token)

        wrapper: Any = call_async
    else:

        def call(state: Any, **injected: Any) -> Any:
            _ = held  # read by LangGraph's subgraph finder (see the docstring)
            nested = CURRENT_TASK.get() is not None
            token = CURRENT_TASK.set(None) if nested else None
            if takes_error:
                injected["error"] = _nb_node_error(injected.get("error"))
            try:
                return out(fn(state, **injected))
            except (ParentCommand, GraphInterrupt) as error:
                raise signal(error) from None
            finally:
                if token is not None:
                    CURRENT_TASK.reset(token)

        wrapper = call
    try:
        first = next(iter(inspect.signature(fn).parameters.values()))
    except (TypeError, ValueError, StopIteration):
        first = inspect.Parameter("state", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    # unannotated parameters: LangGraph injects them whatever the user's annotations say
    params = [first.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in wants]
    if takes_error:  # LangGraph fills it under this annotation only
        params.append(inspect.Parameter("error", inspect.Parameter.KEYWORD_ONLY, annotation="NodeError"))
    wrapper.__signature__ = inspect.Signature(params)
    wrapper.__name__ = getattr(fn, "__name__", type(fn).__name__)
    wrapper.__qualname__ = getattr(fn, "__qualname__", wrapper.__name__)
    wrapper.__doc__ = getattr(fn, "__doc__", None)
    if router:  # LangGraph reads a router's hints: its input schema and a Literal return's targets
        source = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else type(fn).__call__
        annotations = getattr(source, "__annotations__", {})
        wrapper.__annotations__ = {k: v for k, v in annotations.items() if k in (first.name, "return")}
        wrapper.__wrapped__ = source  # its hints resolve in the router's module
    else:
        wrapper.__annotations__ = {}
    return wrapper


def _is_coroutine(action: Any) -> bool:
    return inspect.iscoroutinefunction(action) or inspect.iscoroutinefunction(
        type(action).__dict__.get("__call__")
    )


def _is_langgraph_marker(hint: Any) -> bool:
    meta: tuple[Any, ...] = getattr(hint, "__metadata__", ())
    return bool(meta) and isinstance(meta[-1], type) and meta[-1].__module__.startswith("langgraph.")


def _breakpoints(nodes: Any) -> Any:
    """``interrupt_before``/``interrupt_after`` as LangGraph takes them: ``"*"``, a list, or None."""
    if not nodes:
        return None
    return nodes if nodes == "*" else list(nodes)
