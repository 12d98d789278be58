"""Turns the raw parts of a LangGraph run into nbstream's typed events, for the observers.

Fed every ``(ns, mode, payload)`` triple of a run (see :mod:`nbstream.langgraph._shape`), in the
caller's thread. How each event is found:

* ``RunStarted`` for the root before the run; for a subgraph at its first part. A subgraph's run
  ends when its parent's task ends (``RunFinished``, ``RunFailed`` or ``RunInterrupted`` as that
  task did); the root's when LangGraph's stream ends or raises.
* ``StepStarted`` at the first task start of a step; ``StepFinished`` at the ``values`` part that
  follows the step's tasks (or, when a step wrote no output key, at the next step's first start).
  Steps are numbered from the saved checkpoints when the graph has a saver, else counted from 0
  (the input step), which is right for a run without a thread.
* ``TaskStarted``/``TaskFinished`` from the ``tasks`` mode; the update from ``updates``; the time
  from LangChain's callbacks (NaN when they did not say). A task whose result comes without a start
  (an error handler LangGraph started when its node failed) gets its ``TaskStarted`` just before
  its ``TaskFinished``, with ``input=None`` (LangGraph's stream does not give it).
* ``CustomData`` names its task only when one task runs in its graph: LangGraph does not say
  which task wrote it (the node is then ``""``).
* ``MessageChunk`` from ``messages``; ``LLMCallStarted``/``LLMCallFinished`` from callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.messages import BaseMessageChunk

from nbstream.events import (
    CheckpointSaved,
    CustomData,
    Event,
    MessageChunk,
    Namespace,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskStarted,
    ThreadControl,
)
from nbstream.langgraph._calls import MessagePart, RunCallbacks

__all__ = ["Watch", "graph_outline"]

_INTERRUPT = "__interrupt__"


def graph_outline(graph: Any) -> tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...]]:
    """A LangGraph graph's node names and static edges, for ``RunStarted``."""
    nodes = tuple(name for name in getattr(graph, "nodes", {}) if name != "__start__")
    builder = getattr(graph, "builder", None)
    edges: list[tuple[str, str, bool]] = []
    if builder is not None:
        edges.extend((a, b, False) for a, b in sorted(getattr(builder, "edges", ())))
        for source, branches in getattr(builder, "branches", {}).items():
            for branch in branches.values():
                for target in (getattr(branch, "ends", None) or {}).values():
                    edges.append((source, target, True))
    return nodes, tuple(edges)


class _Scope:
    """What the watcher knows about one graph run (the root, or a subgraph) while it runs."""

    __slots__ = ("ids", "interrupts", "open", "step", "step_open", "updated", "updates", "values")

    def __init__(self, step: int) -> None:
        self.step = step
        self.step_open = False
        self.ids: tuple[str, ...] | None = None  # the next step's task ids, from its checkpoint
        self.open: dict[str, str] = {}  # task id -> node, started and not finished
        self.updates: dict[str, list[Any]] = {}  # node -> updates not yet claimed by a task result
        self.updated: set[str] = set()
        self.values: Any = None
        self.interrupts: list[Any] = []


class Watch:
    """The event side of one watched LangGraph run."""

    def __init__(
        self,
        graph: Any,
        run_id: str,
        handlers: list[Callable[[Event], None]],
        calls: RunCallbacks,
        thread: Callable[[dict[str, Any] | None], ThreadControl | None],
    ) -> None:
        self.graph = graph
        self.run_id = run_id
        self._handlers = handlers
        self._calls = calls
        self._thread = thread
        self._scopes: dict[Namespace, _Scope] = {}
        self._checkpoint: dict[str, Any] | None = None  # the root's last checkpoint config
        self._next: tuple[str, ...] = ()  # what the root's last checkpoint runs next
        #: the last message part's metadata, message id and (step, call id, node), while the
        #: same call streams (its tokens share one metadata dict)
        self._said: tuple[dict[str, Any], Any, tuple[int, str | None, str]] | None = None
        self._token_kinds: dict[type, bool] = {}  # message class -> is it a streamed chunk

    def publish(self, event: Event) -> None:
        for handler in self._handlers:
            handler(event)

    def start(self, input: Any, config: dict[str, Any] | None = None, resume: Any = None) -> None:
        """The root run begins; ``resume`` (or a ``Command(resume=...)`` input) says it answers a pause."""
        nodes, edges = graph_outline(self.graph)
        self._scopes[()] = _Scope(0)
        self.publish(RunStarted(self.run_id, (), 0, self.graph.get_name(), input, nodes, edges))
        if resume is None:
            from langgraph.types import Command

            resume = input.resume if isinstance(input, Command) else None
        if resume is not None:
            self.publish(RunResumed(self.run_id, (), 0, dict(config or {}), resume))

    def feed(self, ns: Namespace, mode: str, payload: Any) -> None:
        """Publish the events one raw part says happened (and what callbacks said before it)."""
        if self._calls.pending:
            self._drain()
        self._part(ns, mode, payload)

    def _part(self, ns: Namespace, mode: str, payload: Any) -> None:
        scope = self._scopes.get(ns)
        if scope is None:
            scope = self._subgraph_started(ns, payload if mode == "values" else None)
        if mode == "tasks":
            if "input" in payload:
                self._task_started(ns, scope, payload)
            else:
                self._task_finished(ns, scope, payload)
        elif mode == "values":
            self._values(ns, scope, payload)
        elif mode == "updates":
            if isinstance(payload, dict):
                for node, update in payload.items():
                    if node == _INTERRUPT:
                        scope.interrupts.extend(update)
                    else:
                        scope.updates.setdefault(node, []).append(update)
        elif mode == "custom":
            task_id, node = next(iter(scope.open.items())) if len(scope.open) == 1 else ("", "")
            self.publish(CustomData(self.run_id, ns, scope.step, task_id, node, payload))
        elif mode == "messages":
            self._message(ns, scope, payload)
        elif mode == "checkpoints":
            self._checkpoint_saved(ns, scope, payload)

    def _message(self, ns: Namespace, scope: _Scope, payload: tuple[Any, dict[str, Any]]) -> None:
        message, metadata = payload
        raw = getattr(message, "id", None)
        said = self._said
        if said is not None and said[0] is metadata and said[1] == raw:
            step, call, node = said[2]  # the next token of the call before: where it is, known
        else:
            found = raw.removeprefix("lc_run--").removeprefix("run-") if isinstance(raw, str) else None
            call = found if found in self._calls.calls else None
            step = int(metadata.get("langgraph_step", scope.step))
            node = str(metadata.get("langgraph_node", ""))
            # LangGraph gives every token of a call the same metadata dict: keep what it said
            keep = call is not None and "langgraph_step" in metadata
            self._said = (metadata, raw, (step, call, node)) if keep else None
        kind = type(message)
        token = self._token_kinds.get(kind)
        if token is None:
            token = self._token_kinds[kind] = issubclass(kind, BaseMessageChunk)
        self.publish(
            MessageChunk(
                self.run_id, ns, step, call, node, message, metadata, "token" if token else "message"
            )
        )

    def _drain(self) -> None:
        """Publish what the callbacks heard so far (a call in a subgraph may come before its parts)."""
        pending = self._calls.pending
        while pending:
            event = pending.popleft()
            if isinstance(event, MessagePart):
                self._part(event.ns, "messages", event.payload)
                continue
            if event.ns not in self._scopes and () in self._scopes:
                self._subgraph_started(event.ns, None)
            self.publish(event)

    # -- steps and tasks ----------------------------------------------------------------------

    def _subgraph_started(self, ns: Namespace, input: Any) -> _Scope:
        scope = self._scopes[ns] = _Scope(0)
        node = ns[-1].partition(":")[0]
        sub = self._subgraph(ns)
        nodes, edges = graph_outline(sub) if sub is not None else ((), ())
        name = sub.get_name() if sub is not None else node
        self.publish(RunStarted(self.run_id, ns, 0, name, input, nodes, edges))
        return scope

    def _subgraph(self, ns: Namespace) -> Any:
        """The compiled subgraph that runs at ``ns``, when it is a node's own graph."""
        graph = self.graph
        for segment in ns:
            node = graph.nodes.get(segment.partition(":")[0]) if hasattr(graph, "nodes") else None
            found = getattr(node, "subgraphs", None) if node is not None else None
            if not found:
                return None
            graph = found[0]
        return graph

    def _task_started(self, ns: Namespace, scope: _Scope, payload: dict[str, Any]) -> None:
        task_id = payload["id"]
        if scope.step_open and scope.updated and not scope.open:
            self._step_finished(ns, scope, scope.values)  # a step that changed no output key
        if not scope.step_open:
            scope.step += 1
            scope.step_open = True
            scope.updated = set()
            ids = scope.ids if scope.ids and task_id in scope.ids else (task_id,)
            scope.ids = None
            self.publish(StepStarted(self.run_id, ns, scope.step, ids))
        scope.open[task_id] = payload["name"]
        self.publish(
            TaskStarted(
                self.run_id,
                ns,
                scope.step,
                task_id,
                payload["name"],
                payload["input"],
                tuple(payload.get("triggers", ())),
                (),
                payload.get("metadata", {}),
            )
        )

    def _task_finished(self, ns: Namespace, scope: _Scope, payload: dict[str, Any]) -> None:
        task_id, node = payload["id"], payload["name"]
        if scope.open.pop(task_id, None) is None:
            # a task LangGraph streams no start for (an error handler, started when its node
            # failed): the views still see it start, with its input unknown (None)
            self.publish(TaskStarted(self.run_id, ns, scope.step, task_id, node, None, (), (), {}))
        error = payload.get("error")
        if error is not None and not isinstance(error, BaseException):
            error = RuntimeError(str(error))
        asked = payload.get("interrupts")
        interrupts = tuple(map(_interrupt, asked)) if asked else ()
        result = payload.get("result") or {}
        writes = tuple(result.items()) if isinstance(result, dict) else ()
        if writes:
            scope.updated.update(result)
        queued = scope.updates.get(node)
        update = queued.pop(0) if queued else None
        if len(self._scopes) > 1:  # subgraphs are running: the task's own end with it
            self._close_children(ns, node, task_id, error, interrupts)
        self.publish(
            TaskFinished(
                self.run_id,
                ns,
                scope.step,
                task_id,
                node,
                update,
                writes,
                self._calls.duration(task_id),
                error,
                False,
                False,
                None,
                interrupts,
            )
        )

    def _values(self, ns: Namespace, scope: _Scope, payload: Any) -> None:
        if isinstance(payload, dict) and _INTERRUPT in payload:
            payload = {key: value for key, value in payload.items() if key != _INTERRUPT}
        if scope.step_open:
            self._step_finished(ns, scope, payload)
            return
        # the input (or the state a resumed run starts from): the step with no tasks
        scope.values = payload
        keys = frozenset(payload) if isinstance(payload, dict) else frozenset()
        self.publish(StepStarted(self.run_id, ns, scope.step, ()))
        self.publish(StepFinished(self.run_id, ns, scope.step, _as_dict(payload), keys))

    def _step_finished(self, ns: Namespace, scope: _Scope, values: Any) -> None:
        scope.step_open = False
        scope.values = values
        self.publish(StepFinished(self.run_id, ns, scope.step, _as_dict(values), frozenset(scope.updated)))

    def _checkpoint_saved(self, ns: Namespace, scope: _Scope, payload: dict[str, Any]) -> None:
        metadata = payload.get("metadata") or {}
        step = int(metadata.get("step", scope.step))
        if not scope.step_open:
            scope.step = step  # the next step is numbered one after the checkpoint's
            scope.ids = tuple(task["id"] for task in payload.get("tasks", ()))
        if not ns:
            self._checkpoint = payload.get("config")
            self._next = tuple(payload.get("next", ()))
        self.publish(
            CheckpointSaved(
                self.run_id,
                ns,
                step,
                payload.get("config") or {},
                metadata,
                _as_dict(payload.get("values")),
                tuple(payload.get("next", ())),
                tuple(payload.get("tasks", ())),
                payload.get("parent_config"),
                "",
            )
        )

    # -- ends -----------------------------------------------------------------------------

    def _close_children(
        self, ns: Namespace, node: str, task_id: str, error: BaseException | None, interrupts: tuple[Any, ...]
    ) -> None:
        """The subgraphs a task ran end with it."""
        prefix = f"{node}:{task_id}"
        children = [
            child
            for child in self._scopes
            if len(child) == len(ns) + 1 and child[: len(ns)] == ns and child[-1].startswith(prefix)
        ]
        for child in children:
            self._end(child, error, interrupts, None)

    def _end(
        self,
        ns: Namespace,
        error: BaseException | None,
        interrupts: tuple[Any, ...],
        config: Any,
        cancelled: bool = False,
    ) -> None:
        for child in [c for c in self._scopes if len(c) > len(ns) and c[: len(ns)] == ns]:
            if child in self._scopes:
                self._end(child, error, interrupts, None, cancelled)
        scope = self._scopes.pop(ns)
        for task_id, node in list(scope.open.items()):  # tasks LangGraph stopped without a result
            self.publish(
                TaskFinished(self.run_id, ns, scope.step, task_id, node, None, (), float("nan"), None, True)
            )
        scope.open.clear()
        if error is not None or cancelled:
            self.publish(RunFailed(self.run_id, ns, scope.step, error or RuntimeError("stopped"), cancelled))
            return
        if scope.step_open and not interrupts:
            self._step_finished(ns, scope, scope.values)
        asked = interrupts or tuple(scope.interrupts)
        # a root run that ends with nodes still to run stopped at a breakpoint (interrupt_before/after)
        held = not ns and not asked and bool(self._next) and config is not None
        if asked or held:
            thread = self._thread(config) if not ns else None
            self.publish(
                RunInterrupted(
                    self.run_id, ns, scope.step, asked, config or {}, thread, _as_dict(scope.values)
                )
            )
        else:
            self.publish(RunFinished(self.run_id, ns, scope.step, scope.values))

    def finish(self, error: BaseException | None = None, cancelled: bool = False) -> None:
        """The root run ended: LangGraph's stream is exhausted, or raised ``error``."""
        self._drain()
        if () in self._scopes:
            self._end((), error, (), self._checkpoint, cancelled)


def _interrupt(item: Any) -> Any:
    """A task result's interrupt (a dict in the ``tasks`` mode) as LangGraph's ``Interrupt``."""
    if isinstance(item, dict):
        from langgraph.types import Interrupt

        return Interrupt(value=item.get("value"), id=item.get("id", ""))
    return item


def _as_dict(values: Any) -> dict[str, Any]:
    return values if isinstance(values, dict) else {}
