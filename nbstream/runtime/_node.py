"""How the runner calls one node: sync or async, a runnable, a subgraph; what it injects."""

from __future__ import annotations

import copy
import inspect
from typing import TYPE_CHECKING, Any

from nbstream._error_text import no_sync_function, noted
from nbstream._policies import TimeoutPolicy
from nbstream.graph._builder import Branch, NodeSpec
from nbstream.graph._injection import NO_INJECTS, injectable
from nbstream.graph._state import SchemaInfo
from nbstream.runtime._context import TaskContext
from nbstream.runtime._runtime import runtime_of
from nbstream.runtime._timeouts import native_async, sync_timeout_unsupported

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["NodeRuntime", "injectable"]


_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def takes_node_error(fn: Any) -> bool:
    """Whether ``fn`` has an ``error`` parameter LangGraph fills with a ``NodeError``: one annotated
    ``NodeError`` (nbstream's, LangGraph's, or the string); any other leaves it to its default."""
    try:
        param = inspect.signature(fn).parameters.get("error")
    except (TypeError, ValueError):
        return False
    if param is None or param.kind not in _KINDS:
        return False
    hint = param.annotation
    if hint == "NodeError":
        return True
    return isinstance(hint, type) and hint.__name__ == "NodeError" and hint.__module__ in (
        "nbstream.errors",
        "langgraph.errors",
    )


def _is_coroutine(action: Any) -> bool:
    if inspect.iscoroutinefunction(action):
        return True
    method = type(action).__dict__.get("__call__")  # a callable object with an async __call__
    return method is not None and inspect.iscoroutinefunction(method)


class NodeRuntime:
    """A node as the runner sees it: how to call it, where it leads, what triggers it."""

    __slots__ = (
        "async_routers",
        "branches",
        "cache_policy",
        "config_parts",
        "defer",
        "direct",
        "edges",
        "error_handler",
        "fn",
        "injects",
        "is_async",
        "is_error_handler",
        "is_runnable",
        "join_indexes",
        "managed_input",
        "metadata",
        "name",
        "policies",
        "retry",
        "subgraph",
        "timeout",
        "to_input",
        "trace_policy",
        "trigger",
        "trigger_tuple",
        "wants_config",
        "wants_error",
        "wants_previous",
        "wants_runtime",
        "wants_store",
        "wants_writer",
    )

    def __init__(
        self, spec: NodeSpec, input_info: SchemaInfo, *, cached: bool, timeout: TimeoutPolicy | None = None
    ) -> None:
        name, action = spec.name, spec.action
        self.name = name
        self.metadata = spec.metadata
        self.defer = spec.defer
        #: what its trace run records (read only by a traced run, see runtime._tracing), else None
        self.trace_policy = spec.trace_policy
        #: retry policies (first match applies) and the cache policy, when the graph has a cache
        self.retry: tuple[Any, ...] = spec.retry_policy
        self.cache_policy: Any = spec.cache_policy if cached else None
        #: the limits of each attempt (see runtime._timeouts), else None
        self.timeout = timeout
        #: whether a task of this node takes the slower path of runtime/_policies.py
        self.policies = bool(self.retry) or self.cache_policy is not None or timeout is not None
        compiled = getattr(action, "_nbstream_compiled", False)
        self.subgraph: CompiledStateGraph | None = action if compiled else None
        self.fn = action
        self.is_runnable = self.subgraph is None and hasattr(action, "invoke") and hasattr(action, "ainvoke")
        self.is_async = self.subgraph is None and not self.is_runnable and _is_coroutine(action)
        if timeout is not None and not (
            self.is_async or self.subgraph is not None or (self.is_runnable and native_async(action))
        ):
            raise sync_timeout_unsupported(name)
        #: the parameters it takes by name and annotation (see nbstream.graph._injection)
        self.wants_config, self.wants_writer, self.wants_runtime, self.wants_store, self.wants_previous = (
            NO_INJECTS if self.is_runnable else injectable(action)
        )
        #: whether it takes ``error: NodeError`` (what failed, for an error handler; else None)
        self.wants_error = not self.is_runnable and self.subgraph is None and takes_node_error(action)
        #: whether the node takes any of them (one test per task instead of several)
        self.injects = (
            self.wants_config
            or self.wants_writer
            or self.wants_runtime
            or self.wants_store
            or self.wants_previous
            or self.wants_error
        )
        #: the common case, called straight from the runner: a plain sync function of the state
        self.direct = not (
            self.policies
            or self.subgraph is not None
            or self.is_async
            or self.is_runnable
            or self.injects
        )
        self.edges: tuple[str, ...] = ()
        self.branches: tuple[Branch, ...] = ()
        #: the node that runs when this one fails (linked at compile, see runtime._error_handlers)
        self.error_handler: NodeRuntime | None = None
        #: whether this node is an error handler (its tasks' namespaces nest in the failed task's)
        self.is_error_handler = spec.is_error_handler
        #: whether some router after this node is ``async def`` (the async path awaits it)
        self.async_routers = False
        #: the static parts of this node's task config when the run has no user config (see loop.py)
        self.config_parts: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None = None
        self.join_indexes: tuple[int, ...] = ()
        self.trigger = f"branch:to:{name}"
        self.trigger_tuple = (self.trigger,)
        self.to_input = input_info.to_node_input
        #: for an input schema with managed keys: builds the input for a step (else None)
        self.managed_input = input_info.to_managed_input if input_info.managed else None

    def timed(self, timeout: TimeoutPolicy) -> NodeRuntime:
        """This node with other limits (a ``Send``'s ``timeout=``); a sync node's attempts then
        run on a thread, which a timeout abandons (as LangGraph's executor does)."""
        node = copy.copy(self)
        node.timeout = timeout
        node.policies = True
        return node

    def _kwargs(self, ctx: TaskContext) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.wants_config:
            kwargs["config"] = ctx.config or ctx.run.task_config(ctx.task)
        if self.wants_writer:
            kwargs["writer"] = ctx.writer
        if self.wants_runtime:
            kwargs["runtime"] = runtime_of(ctx)
        if self.wants_store:
            kwargs["store"] = ctx.run.root.store
        if self.wants_previous:  # the functional API's previous return: none in a graph
            kwargs["previous"] = None
        if self.wants_error:  # as LangGraph: None in a task that is not an error handler's
            failure = getattr(ctx.task, "failure", None)
            kwargs["error"] = failure[0] if failure is not None else None
        return kwargs

    def call_sync(self, input: Any, ctx: TaskContext) -> Any:
        if self.is_async:  # a task error, as in LangGraph: the step's other tasks still run
            raise noted(
                TypeError(no_sync_function(self.name)),
                f"node {self.name!r} is async: run the graph with ainvoke()/astream()",
            )
        if self.is_runnable:
            return self.fn.invoke(input, ctx.config or ctx.run.task_config(ctx.task))
        if self.injects:
            return self.fn(input, **self._kwargs(ctx))
        return self.fn(input)

    async def call_async(self, input: Any, ctx: TaskContext) -> Any:
        if self.is_runnable:
            return await self.fn.ainvoke(input, ctx.config or ctx.run.task_config(ctx.task))
        if not self.is_async:
            return self.call_sync(input, ctx)
        if self.injects:
            return await self.fn(input, **self._kwargs(ctx))
        return await self.fn(input)
