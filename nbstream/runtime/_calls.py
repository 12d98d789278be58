"""Setting up one call of a compiled graph: its bus, its root and run, and who hears the LLMs.

A top-level call gets a fresh bus and root. A graph invoked inside a running node is nested under
the calling task: its events also flow to the enclosing run's bus, under the task's namespace, and
it shares the enclosing run's id, context and LLM handler. The messages handler (and the callbacks
every task's config then carries) is made only when someone listens to LLM messages: the
``messages`` mode or an observer; otherwise the call pays nothing for it. Likewise the tool-call
handler (:mod:`nbstream.tool_events`), only when an observer wants tool calls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from nbstream.bus import Bus, EventHandler
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._task import Root, nested_config, task_segment
from nbstream.runtime._tracing import open_run
from nbstream.runtime.loop import Run

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["open_call"]


def open_call(
    graph: CompiledStateGraph,
    config: dict[str, Any] | None,
    handlers: list[EventHandler],
    wants_custom: bool,
    modes: frozenset[str],
    subgraphs: bool,
    message_keys: Sequence[str] | None,
    context: Any,
    thread: Any = None,
) -> tuple[Run, Bus]:
    """Make the bus, root and run for one call, nested under the running task if there is one."""
    context = _coerce_context(graph.builder.context_schema, context)
    parent = CURRENT_TASK.get()
    # who listens to LLM messages: the messages mode, or any handler besides the projector
    observers = handlers[_has_projector(handlers) :]
    listen = _Listeners(modes, subgraphs, message_keys, len(observers))
    if parent is None:
        bus = Bus(handlers)
        root = Root(
            bus,
            live_custom=wants_custom,
            callbacks=None,
            user_config=config,
            context=context,
            store=graph.store,
        )
        _messages_callbacks(root, (), config, None, listen)
        if observers:
            _tool_callbacks(root, observers, None)
        run = open_run(graph, root, (), None, config and config.get("callbacks"))
        saver = graph.checkpointer
        if saver is not None and not isinstance(saver, bool):
            _on_thread(run, saver, config, thread, handlers)
        elif thread is not None or graph.interrupt_before_nodes or graph.interrupt_after_nodes:
            _without_thread(run, thread)
        return run, bus
    # a graph invoked inside a running node: its events also flow to the enclosing run's bus,
    # under the calling task's namespace (a 2nd call in the same task gets a '1' segment, ...)
    outer = parent.run.root
    # an error handler's segment nests in its failed task's: two namespace parts, as in LangGraph
    segments = tuple(task_segment(parent.task).split("|"))
    ns = (
        (*parent.run.ns, *segments)
        if parent.nested_calls == 0
        else (*parent.run.ns, *segments, str(parent.nested_calls))
    )
    parent.nested_calls += 1
    handlers.append(outer.bus.publish)
    bus = Bus(handlers)
    parent_config = parent.config or parent.run.task_config(parent.task)
    merged = nested_config(parent_config, config)
    root = Root(
        bus,
        live_custom=True,
        callbacks=outer.callbacks,
        user_config=merged,
        context=context if context is not None else outer.context,
        store=outer.store,  # as LangGraph: the calling graph's store, even None, over the graph's own
    )
    root.run_id = outer.run_id
    _messages_callbacks(root, ns, merged, outer, listen)
    if observers or outer.tools is not None:
        _tool_callbacks(root, observers, outer)
    traced = type(parent.run) is not Run
    run = open_run(graph, root, ns, merged, config and config.get("callbacks"), traced)
    if parent.run.saving is not None and graph.checkpointer is not False:
        from nbstream.runtime._persist import attach

        root.resume, root.resume_map, root.resuming = outer.resume, outer.resume_map, outer.resuming
        attach(run, None, None, durability=None, before=None, after=None, parent=parent.run)
    return run, bus


def _without_thread(run: Run, thread: Any) -> None:
    """interrupt_before/after on a graph without a checkpointer: the run stops there, as LangGraph's
    (and cannot be resumed); ``durability`` has nothing to act on."""
    from nbstream.runtime._persist import attach

    if thread is not None and thread.durability is not None:
        import warnings

        warnings.warn("`durability` has no effect when no checkpointer is present.", stacklevel=5)
    before = thread.interrupt_before if thread is not None else None
    after = thread.interrupt_after if thread is not None else None
    if before or after or run.graph.interrupt_before_nodes or run.graph.interrupt_after_nodes:
        attach(run, None, None, durability="exit", before=before, after=after)


def _on_thread(run: Run, saver: Any, config: dict[str, Any] | None, thread: Any, handlers: list[Any]) -> None:
    """Put a top-level run on its thread; views watching it get the thread's controls."""
    from nbstream.runtime._persist import GraphThread, attach

    saving = attach(
        run,
        saver,
        config,
        durability=thread.durability if thread is not None else None,
        before=thread.interrupt_before if thread is not None else None,
        after=thread.interrupt_after if thread is not None else None,
    )
    observers = handlers[_has_projector(handlers) :]
    if observers:
        saving.control = GraphThread(run.graph, config or {}, list(observers))


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


def _tool_callbacks(root: Root, observers: list[EventHandler], outer: Root | None) -> None:
    """Give ``root`` a tool-call handler on its own bus if an observer (here or outside) wants tool calls."""
    if (outer is None or outer.tools is None) and not _wants_tools(observers):
        return
    from nbstream.tool_events import ToolCallsHandler, with_tool_handler

    root.tools = ToolCallsHandler(root.bus.publish, root.run_id)
    root.callbacks = with_tool_handler(root.callbacks, root.tools)


def _wants_tools(observers: list[EventHandler]) -> bool:
    # an observer may opt out with ``wants_tool_calls = False`` (on itself, or on the object whose
    # on_event method it is)
    return any(getattr(getattr(h, "__self__", h), "wants_tool_calls", True) for h in observers)


def _coerce_context(schema: Any, context: Any) -> Any:
    """As LangGraph: a dict given for a dataclass or pydantic context schema becomes an instance."""
    if context is None or schema is None or not isinstance(context, dict):
        return context
    if dataclasses.is_dataclass(schema) or hasattr(schema, "model_validate"):
        return schema(**context)
    return context
