"""The super-step machine shared by every driver (sync, async, nested).

A :class:`Run` holds one graph's state between steps and knows how to prepare a step's tasks,
execute one task (in whatever thread or task the driver chose), record its outcome, and apply a
step's writes. It publishes events and nothing else: it knows no stream mode and no widget.

Per step: ``prepare_step()`` → tasks (TaskStarted published) → the driver runs each task with
``execute``/``aexecute`` → ``complete(task)`` (TaskFinished) → ``finish_step()`` applies the writes
in task-path order through the channels' reducers (StepFinished).
"""

from __future__ import annotations

import contextvars
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nbstream._error_text import no_input, noted, recursion_limit
from nbstream.errors import (
    EmptyInputError,
    GraphInterrupt,
    GraphRecursionError,
    NotSupportedError,
    ParentCommand,
)
from nbstream.events import (
    CustomData,
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
)
from nbstream.graph._state import fold_writes, input_to_dict
from nbstream.runtime._context import CURRENT_TASK, CURRENT_TOOL_CALL, START_RUNTIME, TaskContext
from nbstream.runtime._error_handlers import handled, handler_task
from nbstream.runtime._policies import arun_with_policies, run_with_policies
from nbstream.runtime._routing import Routing
from nbstream.runtime._task import (
    PULL,
    PUSH,
    Root,
    Stopped,
    Task,
    noop_writer,
    task_order,
)
from nbstream.runtime._taskconfig import TaskConfigs
from nbstream.types import Command, Send

if TYPE_CHECKING:
    from nbstream.runtime._persist import Saving
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["Root", "Run", "Task", "Stopped"]

_perf = time.perf_counter


class Run(Routing, TaskConfigs):
    """One execution of one graph (the root or a subgraph) on a shared :class:`Root`."""

    __slots__ = (
        "_config_parts",
        "_defer",
        "_first_step",
        "_joins_seen",
        "_publish",
        "_pulls",
        "_sends",
        "_start_meta",
        "_stop",
        "graph",
        "ns",
        "ns_str",
        "parent_config",
        "paused_values",
        "progress",
        "root",
        "saving",
        "step",
        "values",
        "wrote",
    )

    def __init__(
        self, graph: CompiledStateGraph, root: Root, ns: Namespace, parent_config: dict[str, Any] | None
    ) -> None:
        self.graph = graph
        #: whether some node of the graph is deferred (else no step pays for defer)
        self._defer = graph.has_defer
        self.root = root
        self.ns = ns
        self.ns_str = "|".join(ns)
        self.values: dict[str, Any] = {}
        self.step = 0
        self._pulls: dict[str, list[str]] = {}
        self._sends: list[Send] = []
        self._joins_seen: list[set[str]] = [set() for _ in graph.joins]
        self._publish = root.bus.publish
        self.parent_config = parent_config
        self._start_meta: dict[str, dict[str, Any]] = {}
        self._config_parts: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
        #: whether any step (the input step included) wrote a key; invoke() returns None if not
        self.wrote = False
        #: the run's link to its thread when the graph has a checkpointer (see runtime._persist)
        self.saving: Saving | None = None
        #: the step the run started at (a thread's runs continue its step count)
        self._first_step = 0
        #: the last step the recursion limit allows (RemainingSteps counts down to it), as LangGraph:
        #: the limit counts from where the run starts, two steps later when it resumes a thread
        self._stop = root.recursion_limit
        #: when the run paused: the state with the writes of the step's finished tasks applied
        self.paused_values: dict[str, Any] | None = None
        #: a subgraph run by a timed node: tells its idle timeout of each step (see runtime._timeouts)
        self.progress: Callable[[], None] | None = None

    # -- start and end ---------------------------------------------------------------------------
    def start(self, input: Any, *, route: bool = True) -> None:
        """Publish RunStarted, apply the input as step 0, and route from START (if ``route``)."""
        graph = self.graph
        cut: tuple[str, ...] | None = None
        if self.ns:  # a subgraph runs as LangGraph's invoke(): its chunks show only its output keys
            keys = graph.output_info.keys
            if len(keys) != len(graph.channels) or not all(k in graph.channels for k in keys):
                cut = keys
        self._publish(
            RunStarted(
                self.root.run_id, self.ns, -1, graph.name, input, graph.node_names, graph.edge_list, cut
            )
        )
        saving = self.saving
        if saving is not None and saving.start(input):  # continues the thread from its checkpoint
            self._first_step = self.step
            self._stop = self.step + self.root.recursion_limit + 2
            self._publish(
                RunResumed(self.root.run_id, self.ns, self.step, saving.saved_config or {}, _resume_of(input))
            )
            self.wrote = True
            if self.root.bus.wants_steps:  # as LangGraph: the state it continues from, first
                self._publish(
                    StepFinished(self.root.run_id, self.ns, self.step, self.values, frozenset(self.values))
                )
            saving.announce()
            return
        if input is None:
            raise noted(
                EmptyInputError(no_input()), f"graph {graph.name!r} received None; pass a dict of state keys"
            )
        if isinstance(input, Command):
            if input.resume is not None:
                raise RuntimeError("Cannot use Command(resume=...) without checkpointer")
            raise NotSupportedError(
                f"{input!r} as the input of graph {graph.name!r}: a Command as input continues a thread, "
                "which needs a checkpointer: compile(checkpointer=InMemorySaver())"
            )
        writes = input_to_dict(input, graph.input_info)
        values: dict[str, Any] = {}
        base = self.values  # a thread's saved state, or {} for a fresh run
        for key, channel in graph.channels.items():
            if key in base:
                values[key] = (
                    channel.fold(base[key], (writes[key],), ("__input__",), 0) if key in writes else base[key]
                )
            elif channel.default_factory is not None:
                values[key] = channel.default_factory()
                if key in writes:  # through the reducer (or an Overwrite), as a node's write would go
                    values[key] = channel.fold(values[key], (writes[key],), ("__input__",), 0)
            elif key in writes:
                values[key] = writes[key]
        self.values = values
        self.wrote = bool(writes)
        if saving is not None:
            if saving.saved_config is not None:  # the input and its start task take two steps
                self.step += 2
            saving.save_input(writes)  # as LangGraph: its checkpoint comes before the values chunk
        self._first_step = self.step
        self._stop = self.step + self.root.recursion_limit
        if self.root.bus.wants_steps:
            self._publish(StepFinished(self.root.run_id, self.ns, self.step, values, frozenset(writes)))
        for target in graph.start_edges:
            self._pulls.setdefault(target, [])
        if route and graph.start_branches:
            self.route_start()

    def route_start(self) -> None:
        """Route from START through its conditional edges (``start(route=False)`` leaves it to here)."""
        token = self._enter_start()
        try:
            for branch in self.graph.start_branches:
                self._route(branch, self._start_state(branch), "START", self._pulls, self._sends)
        finally:
            START_RUNTIME.reset(token)

    async def aroute_start(self) -> None:
        """:meth:`route_start` for async runs: ``async def`` routers are awaited."""
        token = self._enter_start()
        try:
            for branch in self.graph.start_branches:
                await self._aroute(branch, self._start_state(branch), "START", self._pulls, self._sends)
        finally:
            START_RUNTIME.reset(token)

    def _enter_start(self) -> Any:
        """Give START's routers the run's Runtime (``get_runtime()``), as LangGraph's __start__ task."""
        from nbstream.runtime._runtime import Runtime

        return START_RUNTIME.set(Runtime(context=self.root.context, store=self.root.store))

    def _start_state(self, branch: Any) -> Any:
        """What a router from START reads: the state, or its own input hint's schema."""
        info = branch.input_info if branch.input_info is not None else self.graph.state_info
        return info.to_node_input(self.values)

    def output(self) -> Any:
        values = self.values
        return {k: values[k] for k in self.graph.output_info.keys if k in values}

    def finish(self) -> Any:
        if self.saving is not None:
            lost = self.saving.close()
            if lost is not None:  # a background save failed: the run fails with its error
                raise lost
        out = self.output()
        self._publish(RunFinished(self.root.run_id, self.ns, self.step, out))
        return out

    def fail(self, error: BaseException, cancelled: bool) -> None:
        """The run stopped with ``error``: a failure, or a subgraph handing off with ``Command.PARENT``.

        A hand-off is how a subgraph ends on purpose: observers get ``RunFinished``, not ``RunFailed``.
        A save that failed in the background (``durability="async"``) and was not raised yet ends the
        run instead, as it would have inline, before the run went on.
        """
        saving = self.saving
        lost = saving.settle() if saving is not None else None
        if lost is not None and lost is not error:
            if cancelled:
                warnings.warn(f"a checkpoint save failed while the run was stopped: {lost!r}", stacklevel=2)
            else:
                self._publish(RunFailed(self.root.run_id, self.ns, self.step, lost, False))
                raise lost
        if not cancelled and self.ns and type(error) is ParentCommand:
            self._publish(RunFinished(self.root.run_id, self.ns, self.step, self.output()))
        elif isinstance(error, GraphInterrupt) and not cancelled:
            if saving is not None:
                saving.flush_exit()
            self._publish(
                RunInterrupted(
                    self.root.run_id,
                    self.ns,
                    self.step,
                    tuple(error.args[0]) if error.args else (),
                    (saving.saved_config or {}) if saving is not None else {},
                    saving.control if saving is not None else None,
                    self.paused_values,
                )
            )
        else:
            self._publish(RunFailed(self.root.run_id, self.ns, self.step, error, cancelled))

    # -- steps -----------------------------------------------------------------------------------
    def prepare_step(self) -> list[Task]:
        """Build the next step's tasks and publish their start; [] when the graph is done."""
        pulls, sends = self._pulls, self._sends
        step = self.step + 1
        # as LangGraph does, the limit counts the check after the last step too: a chain of N nodes
        # needs recursion_limit >= N + 1
        if step > self._stop and self.step > self._first_step:
            raise noted(
                GraphRecursionError(recursion_limit(self.root.recursion_limit)),
                f"in graph {self.graph.name!r} after step {self.step} (next nodes: "
                f"{[s.node for s in sends] + sorted(pulls)}); raise the limit with "
                f"config={{'recursion_limit': N}} if the loop is intended",
            )
        saving = self.saving
        if saving is not None and saving.owed_input is not None:
            saving.input_step(saving.owed_input)
            saving.owed_input = None
        if not pulls and not sends:
            return []
        if self.progress is not None:
            self.progress()
        if self.root.stopped:
            raise Stopped("the run was stopped by its consumer")
        self.step = step
        self._pulls, self._sends = {}, []
        nodes = self.graph.nodes
        if self._defer:
            pulls = self._hold_deferred(pulls, sends)
        new_id = self.root.new_id
        tasks: list[Task] = []
        for index, send in enumerate(sends):
            node = nodes[send.node]
            if send.timeout is not None:  # this task's limits instead of its node's
                node = node.timed(send.timeout)
            tasks.append(Task(new_id(), node, send.arg, (PUSH,), (PUSH, index, False), (1, index)))
        if pulls:
            values = self.values
            for name in sorted(pulls):
                node = nodes[name]
                joins = pulls[name]
                triggers = (node.trigger, *joins) if joins else node.trigger_tuple
                managed = node.managed_input
                task_input = node.to_input(values) if managed is None else managed(values, step, self._stop)
                tasks.append(Task(new_id(), node, task_input, triggers, (PULL, name), (0, name)))
        if saving is not None:
            return self._thread_step(saving, tasks, pulls, sends)
        if not self.root.bus.wants_starts:
            return tasks
        self._publish_starts(tasks)
        return tasks

    def _thread_step(
        self, saving: Saving, tasks: list[Task], pulls: dict[str, list[str]], sends: list[Send]
    ) -> list[Task]:
        """A step of a run on a thread: ids from the checkpoint, saved writes loaded, interrupt_before."""
        to_run = saving.prepare(tasks)
        if saving.before and not saving.resumed and any(t.node.name in saving.before for t in tasks):
            self.step -= 1
            self._pulls, self._sends = pulls, sends
            raise GraphInterrupt(())
        saving.resumed = False
        if self.root.bus.wants_starts:
            # error handlers that run again in a resumed step start after the step's tasks
            self._publish_starts([*tasks, *saving.rehandled] if saving.rehandled else tasks)
        for task in saving.preloaded:
            self.complete(task)
        if not to_run and saving.preloaded:
            self.finish_step([])
            return self.prepare_step()
        return to_run

    def _publish_starts(self, tasks: list[Task]) -> None:
        step = self.step
        run_id, ns, publish = self.root.run_id, self.ns, self._publish
        publish(StepStarted(run_id, ns, step, tuple(t.id for t in tasks)))
        for t in tasks:
            publish(self._started(t))

    def _started(self, t: Task) -> TaskStarted:
        return TaskStarted(
            self.root.run_id,
            self.ns,
            self.step,
            t.id,
            t.node.name,
            t.input,
            t.triggers,
            t.path,
            self._start_metadata(t.node),
        )

    def _hold_deferred(self, pulls: dict[str, list[str]], sends: list[Send]) -> dict[str, list[str]]:
        """Keep deferred nodes for a later step while anything else is still to run."""
        nodes = self.graph.nodes
        deferred = [name for name in pulls if nodes[name].defer]
        if not deferred or (len(deferred) == len(pulls) and not sends):
            return pulls
        for name in deferred:
            self._pulls[name] = pulls[name]
        return {name: joins for name, joins in pulls.items() if not nodes[name].defer}

    def finish_step(self, tasks: Sequence[Task]) -> None:
        """Apply the step's writes (raising the first task error instead, if any)."""
        saving = self.saving
        if saving is not None and saving.preloaded:
            tasks = [*tasks, *saving.preloaded]
            saving.preloaded = []
        errors = [t for t in tasks if t.error is not None]
        if errors:
            paused = [t for t in errors if isinstance(t.error, GraphInterrupt)]
            # a failure its node's error handler took over does not fail the step
            failed = [t for t in errors if not isinstance(t.error, GraphInterrupt) and not handled(t)]
            if failed:
                # the error that stopped the step, not a sibling's cancellation caused by it
                raise next((t for t in failed if not t.cancelled), failed[0]).error  # type: ignore[misc]
            if paused:
                self._pause(tasks)
        if self.progress is not None:
            self.progress()
        ordered = sorted(tasks, key=task_order) if len(tasks) > 1 else tasks
        values, grouped = fold_writes(
            self.graph.channels, self.values, [(t.node.name, t.writes) for t in ordered], self.step
        )
        if grouped:
            self.wrote = True
            self.values = values
        if self.root.bus.wants_steps:
            self._publish(StepFinished(self.root.run_id, self.ns, self.step, values, frozenset(grouped)))
        pulls, sends = self._pulls, self._sends
        joins = self.graph.joins
        for t in ordered:
            for name in t.next_nodes:
                pulls.setdefault(name, [])
            sends.extend(t.sends)
            for j in t.node.join_indexes:
                seen = self._joins_seen[j]
                seen.add(t.node.name)
                sources, target, channel = joins[j]
                if len(seen) == len(sources):
                    seen.clear()
                    pulls.setdefault(target, []).append(channel)
        if saving is not None:
            saving.step_done(ordered, grouped)
            if saving.after and any(t.node.name in saving.after for t in ordered):
                raise GraphInterrupt(())
            if saving.owns_writer and not pulls and not sends:
                # the last step: its chunks go out once the thread is saved, as LangGraph's
                lost = saving.settle()
                if lost is not None:
                    raise lost

    def _pause(self, tasks: Sequence[Task]) -> None:
        """Some task of the step called ``interrupt()``: the run stops here, waiting for an answer.

        The step's writes are not applied (they stay saved as pending writes, so the finished tasks do
        not run again); ``paused_values`` shows the state with them applied, as LangGraph's last
        ``values`` chunk and ``invoke()`` result do.
        """
        ordered = sorted(tasks, key=task_order)
        interrupts = tuple(i for t in ordered for i in t.interrupts)
        if not self.ns:
            done = [(t.node.name, t.writes) for t in ordered if t.error is None]
            # at the root, finished tasks whose writes conflict fail the step instead of pausing it,
            # as in LangGraph, which applies them there only (a graph run inside a node just pauses)
            values, _ = fold_writes(self.graph.channels, self.values, done, self.step)
            self.paused_values = values
        self.step -= 1  # the step did not complete: a resumed run runs it again
        raise GraphInterrupt(interrupts)

    def recover(self, task: Task) -> Task | None:
        """The error handler's task for ``task``, which just failed: run it now, in this step
        (see :mod:`nbstream.runtime._error_handlers`); None when the failure is not handled.

        Observers get the handler's ``TaskStarted`` now, after the failed task's ``TaskFinished``.
        It was not announced by the step's ``StepStarted``, which is how the ``tasks`` and
        ``debug`` modes know to leave it out, as LangGraph's do (they show it in a resumed step,
        where it is announced)."""
        if not handled(task):
            return None
        handler = handler_task(self, task, task.error)
        if self.root.bus.wants_starts:
            self._publish(self._started(handler))
        return handler

    # -- tasks -----------------------------------------------------------------------------------
    def context(self, task: Task, *, off_owner: bool = False) -> TaskContext:
        """Set up ``task``'s context; ``off_owner`` says it will run on a thread other than the bus
        owner's, so its custom data can go straight to the owner's mailbox."""
        root = self.root
        if root.live_custom:
            run_id, ns, step, tid, name = root.run_id, self.ns, self.step, task.id, task.node.name
            send = root.bus.mailbox.put if off_owner else self._publish
            writer: Callable[[Any], None]
            if root.tools is None:

                def live_writer(data: Any) -> None:
                    send(CustomData(run_id, ns, step, tid, name, data))

                writer = live_writer
            else:  # observers watch tool calls: data written inside one of this task's tools names it

                def tool_aware_writer(data: Any) -> None:
                    call = CURRENT_TOOL_CALL.get()
                    tool_call = call[1] if call is not None and call[0] == tid else None
                    send(CustomData(run_id, ns, step, tid, name, data, tool_call))

                writer = tool_aware_writer
        else:
            writer = noop_writer
        # a subgraph's tasks inherit its task's config (metadata, tags) as in LangGraph, so it needs one
        needs_config = root.callbacks is not None or task.node.subgraph is not None
        ctx = TaskContext(self, task, writer, self.task_config(task) if needs_config else {})
        task.ctx = ctx
        if root.messages is not None:
            root.messages.task_input(self.ns, task.input)
        return ctx

    def _enter(self, task: Task) -> tuple[TaskContext, Any, Any]:
        """Make ``task`` the current one (our context var, and langchain-core's when it has a config)."""
        ctx = task.ctx or self.context(task)
        token = CURRENT_TASK.set(ctx)
        lc_token = _set_lc_config(ctx.config) if ctx.config else None
        task.started = _perf()
        return ctx, token, lc_token

    def _leave(self, task: Task, token: Any, lc_token: Any) -> None:
        task.duration = _perf() - task.started
        if lc_token is not None:
            _reset_lc_config(lc_token)
        CURRENT_TASK.reset(token)

    def execute(self, task: Task, route: bool = True) -> None:
        """Run a task in the current thread (the driver picked it); record its outcome on ``task``.

        ``route=False`` leaves the node's routers to :meth:`aroute_deferred` (async routers of a
        sync node, awaited by the async driver on its event loop).
        """
        ctx, token, lc_token = self._enter(task)
        try:
            node = task.node
            if node.direct:
                result = node.fn(task.input)
            elif node.policies:
                result = run_with_policies(self, task, lambda: self._call_sync(task, ctx))
            elif node.subgraph is not None:
                result = node.subgraph.run_as_node_sync(task.input, self, task)
            else:
                result = node.call_sync(task.input, ctx)
            self._absorb(task, result, route)
        except ParentCommand as exc:
            self._parent_command(task, exc)
        except BaseException as exc:  # recorded, re-raised by the driver at step end
            self._record_error(task, exc)
        finally:
            self._leave(task, token, lc_token)

    def _call_sync(self, task: Task, ctx: TaskContext) -> Any:
        node = task.node
        if node.subgraph is not None:
            return node.subgraph.run_as_node_sync(task.input, self, task)
        return node.call_sync(task.input, ctx)

    async def aexecute(self, task: Task) -> None:
        """Run an async node (or an async subgraph) as part of the current asyncio task."""
        ctx, token, lc_token = self._enter(task)
        try:
            node = task.node
            if node.policies:
                result = await arun_with_policies(self, task, lambda: self._call_async(task, ctx))
            elif node.subgraph is not None:
                result = await node.subgraph.run_as_node_async(task.input, self, task)
            else:
                result = await node.call_async(task.input, ctx)
            if node.async_routers:
                self._absorb(task, result, route=False)
                await self._aroute_task(task)
            else:
                self._absorb(task, result)
        except ParentCommand as exc:
            self._parent_command(task, exc)
        except BaseException as exc:  # recorded, re-raised by the driver
            self._record_error(task, exc)
        finally:
            self._leave(task, token, lc_token)

    async def _call_async(self, task: Task, ctx: TaskContext) -> Any:
        node = task.node
        if node.subgraph is not None:
            return await node.subgraph.run_as_node_async(task.input, self, task)
        return await node.call_async(task.input, ctx)

    async def aroute_deferred(self, task: Task) -> None:
        """Await the routers of a task that ran with ``execute(task, route=False)``."""
        ctx = task.ctx
        token = CURRENT_TASK.set(ctx) if ctx is not None else None
        try:
            await self._aroute_task(task)
        except BaseException as exc:
            self._record_error(task, exc)
        finally:
            if token is not None:
                CURRENT_TASK.reset(token)

    def _parent_command(self, task: Task, exc: ParentCommand) -> None:
        """A ``Command.PARENT`` came up from a graph this task ran: apply it here if it is for us.

        The node may also have raised ``ParentCommand(Command(graph=Command.PARENT, ...))`` itself,
        as LangGraph's own code does: that is this graph's node sending it on, as if it returned it.
        """
        command = exc.command
        if command.graph == Command.PARENT:
            sent = self._for_parent(command, task.node.name)
            assert isinstance(sent, ParentCommand)  # graph=Command.PARENT: never refused
            exc, command = sent, sent.command
        if command.graph == self.ns_str:
            try:
                self._absorb(task, replace(command, graph=None))
            except BaseException as error:
                self._record_error(task, error)
        else:
            task.error = exc
            task.writes = []

    def _record_error(self, task: Task, exc: BaseException) -> None:
        task.error = exc
        if isinstance(exc, GraphInterrupt):  # paused, not failed: its writes wait for the answer
            task.interrupts = tuple(exc.args[0]) if exc.args else ()
            task.writes = []
            return
        if not task.routing:  # a failed router leaves the node's writes shown (not applied), as LangGraph
            task.writes = []
        if not isinstance(exc, Exception) or isinstance(exc, Stopped):
            task.cancelled = True
        else:
            where = f" in subgraph {self.ns_str!r}" if self.ns else ""
            note = f"while running node {task.node.name!r} at step {self.step}{where}"
            notes = getattr(exc, "__notes__", ())
            if note not in notes:
                exc.add_note(note)

    def complete(self, task: Task) -> None:
        """Publish a finished task's outcome (in the thread that owns the bus)."""
        if self.saving is not None:
            self.saving.task_done(task)
        if self.root.messages is not None and task.error is None:
            self.root.messages.node_output(self, task)
        # break the task <-> context cycle, so the step's inputs are freed now, not at the next GC
        task.ctx = None
        if self.root.bus.silent:
            return
        self._publish(
            TaskFinished(
                self.root.run_id,
                self.ns,
                self.step,
                task.id,
                task.node.name,
                task.update,
                tuple(task.writes),
                task.duration,
                None if task.interrupts else task.error,
                task.cancelled,
                task.cached,
                None,  # positional: a keyword makes the NamedTuple slower to build
                task.interrupts,
                task.error is not None and task.scratch is not None,
            )
            if type(task.error) is not ParentCommand or not self.ns
            else _handed_off(self, task)
        )


def _handed_off(run: Run, task: Task) -> TaskFinished:
    """A task that sent ``Command(graph=Command.PARENT)``: it ended well, handing the command up."""
    # as the node wrote it (on its way up, the command is addressed to the parent's namespace)
    command = replace(task.error.command, graph=Command.PARENT)  # type: ignore[union-attr]
    return TaskFinished(
        run.root.run_id, run.ns, run.step, task.id, task.node.name, None, (), task.duration, handoff=command
    )


_lc_var: contextvars.ContextVar[Any] | None = None


def _set_lc_config(config: dict[str, Any]) -> contextvars.Token[Any]:
    global _lc_var
    if _lc_var is None:
        from langchain_core.runnables.config import var_child_runnable_config

        _lc_var = var_child_runnable_config
    return _lc_var.set(config)  # type: ignore[arg-type]


def _reset_lc_config(token: contextvars.Token[Any]) -> None:
    assert _lc_var is not None
    _lc_var.reset(token)


def _resume_of(input: Any) -> Any:
    return input.resume if isinstance(input, Command) else None
