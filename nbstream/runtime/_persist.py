"""Threads: a run's checkpoints and pending writes, through any ``langgraph-checkpoint`` saver.

A graph compiled with a checkpointer gives each of its runs a :class:`Saving`. It writes what
LangGraph 1.2 writes, in LangGraph's format, so that a thread can be read by either library:

* a checkpoint per super-step (``source`` ``input`` for the input, ``loop`` after each step,
  ``update`` for ``update_state``, ``fork`` when a run replays an older checkpoint), with LangGraph's
  channels: the state keys, ``branch:to:<node>`` for a node to run, ``join:<a>+<b>:<node>`` for a
  join's arrivals, ``__pregel_tasks`` for pending ``Send``\\ s, ``__start__`` for the input;
* channel versions from the saver's own ``get_next_version`` and, per node, the versions it saw
  (``versions_seen``): what runs next is read back from them, as LangGraph reads it;
* pending writes per task (``put_writes``) as soon as the task ends, so a step that fails or
  pauses resumes without re-running the tasks that finished; ``__interrupt__``, ``__resume__`` and
  ``__error__`` writes as LangGraph's.

Task ids are derived from the checkpoint (an xxh3-128 hash of the checkpoint id, namespace, step,
node and triggers, as LangGraph), so the tasks a resumed run prepares find their saved writes, and
``interrupt()`` ids are the same in both libraries. A run without a checkpointer never builds a
:class:`Saving`: none of this costs it anything.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from random import getrandbits as _random_bits
from time import time_ns as _time_ns
from typing import TYPE_CHECKING, Any, NamedTuple

from nbstream._state_types import Interrupt, PregelTask, StateSnapshot
from nbstream.errors import EmptyInputError, GraphError, GraphInterrupt, InvalidUpdateError
from nbstream.events import CheckpointSaved
from nbstream.graph._state import MISSING, fold_writes
from nbstream.modes import _result
from nbstream.runtime._background_saves import SaveQueue, settle_all, worth_a_queue
from nbstream.runtime._error_handlers import ERROR_SOURCE_NODE, handled, handler_task
from nbstream.runtime._task import task_segment
from nbstream.types import Command, Send, TimeoutPolicy

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph
    from nbstream.runtime.loop import Run, Task

__all__ = [
    "NULL_TASK_ID",
    "Saving",
    "ThreadError",
    "interrupt_id",
    "snapshot",
    "thread_config",
]

START = "__start__"
TASKS = "__pregel_tasks"
INTERRUPT = "__interrupt__"
RESUME = "__resume__"
ERROR = "__error__"
NO_WRITES = "__no_writes__"
INPUT = "__input__"
PULL = "__pregel_pull"
PUSH = "__pregel_push"
NULL_TASK_ID = "00000000-0000-0000-0000-000000000000"
#: pending writes that are not a task's channel writes
_SPECIAL = frozenset((INTERRUPT, RESUME, ERROR, NO_WRITES, ERROR_SOURCE_NODE))


class ThreadError(GraphError, ValueError):
    """A thread, checkpoint or interrupt id that a call names does not fit what is saved."""


def _xxh(data: bytes) -> str:
    from xxhash import xxh3_128_hexdigest

    digest: str = xxh3_128_hexdigest(data)
    return digest


def _task_id(namespace: bytes, *parts: str) -> str:
    h = _xxh(namespace + "".join(parts).encode())
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def interrupt_id(task_ns: str, answered: int) -> str:
    """The id of a task's next interrupt: a hash of its namespace and how many answers it has."""
    return _xxh((f"{task_ns}|{answered}" if answered else task_ns).encode())


def thread_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """The ``configurable`` of ``config``, checked to name a thread (LangGraph's words when not)."""
    conf = (config or {}).get("configurable") or {}
    if not any(k in conf for k in ("thread_id", "checkpoint_ns", "checkpoint_id")):
        raise ValueError(
            "Checkpointer requires one or more of the following 'configurable' keys: thread_id, "
            "checkpoint_ns, checkpoint_id"
        )
    return dict(conf)


class _Layout(NamedTuple):
    """A graph's channels as LangGraph names them (computed once per compiled graph)."""

    #: node -> the channels that trigger it, sorted (what its task id hashes)
    triggers: dict[str, tuple[str, ...]]
    #: join channel -> (sources, target)
    joins: dict[str, tuple[frozenset[str], str]]
    #: node -> its ``branch:to:`` channel
    branch: dict[str, str]
    #: node -> the graph whose checkpoints it holds (see :func:`held_graph`); nodes holding none absent
    held: dict[str, CompiledStateGraph]


def held_graph(node: Any) -> CompiledStateGraph | None:
    """The graph a node's task runs in its own checkpoint namespace, as LangGraph finds it: a
    subgraph node's graph, or a compiled graph the node's function refers to (and so may invoke);
    a graph compiled with ``checkpointer=False`` keeps no state, so it does not count."""
    if node.subgraph is not None:
        found: CompiledStateGraph | None = node.subgraph
        return found if node.subgraph.checkpointer is not False else None
    if node.is_runnable:
        return None
    return graph_referred_to(node.fn)


def graph_referred_to(fn: Any) -> CompiledStateGraph | None:
    """The first compiled graph ``fn`` refers to (and so may invoke) that keeps state (not
    compiled with ``checkpointer=False``), as LangGraph looks for a node's subgraph."""
    from nbstream.runtime.compiled import CompiledStateGraph

    for value in _reached(fn):
        value = getattr(value, "__self__", value)  # a bound method: graph.invoke
        if isinstance(value, CompiledStateGraph) and value.checkpointer is not False:
            return value
    return None


def _reached(fn: Any) -> Iterator[Any]:
    """The values a function can reach from outside: its closure cells, then, in the order its
    code (and the code of the functions defined in it) loads them, the globals it names and the
    attributes it reads off them (``a.b.c``). Read from the bytecode, so it needs no source."""
    import dis
    from types import CodeType, FunctionType

    fn = getattr(fn, "__func__", fn)
    inner = getattr(fn, "__wrapped__", None)
    if callable(inner):
        fn = getattr(inner, "__func__", inner)
    if not isinstance(fn, FunctionType):
        return
    code = fn.__code__
    cells: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=False):
        try:
            cells[name] = cell.cell_contents
        except ValueError:  # a cell not filled yet
            continue
    yield from cells.values()
    names = fn.__globals__
    pending = [code]
    while pending:
        current = pending.pop(0)
        pending.extend(c for c in current.co_consts if isinstance(c, CodeType))
        value: Any = None
        for ins in dis.get_instructions(current):
            if ins.opname == "LOAD_GLOBAL":
                value = names.get(ins.argval)
            elif ins.opname == "LOAD_DEREF":
                value = cells.get(ins.argval)
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and value is not None:
                try:  # a property may raise anything
                    value = getattr(value, ins.argval, None)
                except Exception:
                    value = None
            else:
                value = None
                continue
            if value is not None:
                yield value


def layout(graph: CompiledStateGraph) -> _Layout:
    cached: _Layout | None = graph.__dict__.get("_nbstream_layout")
    if cached is not None:
        return cached
    joins = {channel: (frozenset(sources), target) for sources, target, channel in graph.joins}
    triggers: dict[str, list[str]] = {name: [f"branch:to:{name}"] for name in graph.nodes}
    for channel, (_, target) in joins.items():
        triggers[target].append(channel)
    made = _Layout(
        {name: tuple(sorted(chans)) for name, chans in triggers.items()},
        joins,
        {name: f"branch:to:{name}" for name in graph.nodes},
        {name: held for name, node in graph.nodes.items() if (held := held_graph(node)) is not None},
    )
    graph.__dict__["_nbstream_layout"] = made
    return made


def _null_version(versions: dict[str, Any]) -> Any:
    for v in versions.values():
        return type(v)()
    return None


def _runnable(
    graph: CompiledStateGraph, pulls: dict[str, list[str]], sends: list[Send]
) -> dict[str, list[str]]:
    """The pulled nodes the next step runs: a deferred node waits while anything else is to run."""
    if not graph.has_defer:
        return pulls
    waiting = [name for name in pulls if graph.nodes[name].defer]
    if not waiting or (len(waiting) == len(pulls) and not sends):
        return pulls
    return {name: joins for name, joins in pulls.items() if not graph.nodes[name].defer}


class Pending(NamedTuple):
    """What runs after a checkpoint: pulled nodes (with their fired join channels) and sends."""

    pulls: dict[str, list[str]]
    sends: list[Send]
    start: bool


def pending_of(graph: CompiledStateGraph, checkpoint: dict[str, Any]) -> Pending:
    """Read what runs next from a checkpoint's channel versions, as LangGraph reads it."""
    lay = layout(graph)
    values = checkpoint["channel_values"]
    versions = checkpoint["channel_versions"]
    seen_all = checkpoint["versions_seen"]
    null = _null_version(versions)
    pulls: dict[str, list[str]] = {}
    for name in graph.nodes:
        seen = seen_all.get(name, {})
        for channel in lay.triggers[name]:
            if channel not in versions or versions[channel] <= seen.get(channel, null):
                continue
            if channel.startswith("join:"):
                sources = lay.joins[channel][0]
                if set(values.get(channel, ())) != sources:
                    continue
                pulls.setdefault(name, []).append(channel)
            elif channel in values:
                pulls.setdefault(name, [])
    sends = [send for send in map(unpack_send, values.get(TASKS, ())) if send is not None]
    start = (
        START in values and START in versions and versions[START] > seen_all.get(START, {}).get(START, null)
    )
    return Pending(pulls, sends, start)


# -- records in a checkpoint -------------------------------------------------------------------------
# Interrupts and Sends are saved as plain dicts: the savers' serializer rebuilds only the types it
# knows as safe (LangGraph's own among them) without a warning, and nbstream's are not among them.
# Reading accepts LangGraph's objects too, so a thread LangGraph wrote reads back here.
def pack_interrupt(item: Interrupt) -> dict[str, Any]:
    packed = {"__interrupt__": item.id, "value": item.value}
    if item.response_schema is not None:
        packed["response_schema"] = item.response_schema
    return packed


def _interrupts(value: Any) -> list[Interrupt]:
    out: list[Interrupt] = []
    for item in value if isinstance(value, list | tuple) else (value,):
        if isinstance(item, dict) and "__interrupt__" in item:
            out.append(
                Interrupt(
                    item.get("value"), item["__interrupt__"], response_schema=item.get("response_schema")
                )
            )
        elif hasattr(item, "id") and hasattr(item, "value"):
            out.append(Interrupt(item.value, item.id, response_schema=getattr(item, "response_schema", None)))
    return out


def pack_send(send: Send) -> dict[str, Any]:
    packed = {"__send__": send.node, "arg": send.arg}
    if send.timeout is not None:  # plain values, which every saver's serializer takes
        policy = send.timeout
        packed["timeout"] = [policy.run_timeout, policy.idle_timeout, policy.refresh_on]
    return packed


def unpack_send(value: Any) -> Send | None:
    if isinstance(value, dict) and "__send__" in value:
        limits = value.get("timeout")
        timeout = None
        if limits is not None:
            run_timeout, idle_timeout, refresh_on = limits
            timeout = TimeoutPolicy(run_timeout=run_timeout, idle_timeout=idle_timeout, refresh_on=refresh_on)
        return Send(value["__send__"], value.get("arg"), timeout=timeout)
    if hasattr(value, "node") and hasattr(value, "arg"):
        if isinstance(value, Send):
            return value
        policy = getattr(value, "timeout", None)  # LangGraph's Send, from a thread it saved
        timeout = None
        if policy is not None:
            timeout = TimeoutPolicy(
                run_timeout=policy.run_timeout, idle_timeout=policy.idle_timeout, refresh_on=policy.refresh_on
            )
        return Send(value.node, value.arg, timeout=timeout)
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat()


#: the last checkpoint id's timestamp: ids must increase (savers list a thread's checkpoints by id)
_last_stamp = 0
#: 100-ns ticks from the UUID epoch (1582-10-15) to the Unix epoch
_UUID_EPOCH = 0x01B21DD213814000


def _uuid6(step: int) -> str:
    """A checkpoint id as langgraph-checkpoint makes them: an RFC 9562 version-6 UUID (time first,
    so ids sort by time) whose clock sequence is the step, with a random node. Built straight from
    its integer: ``uuid.UUID`` costs a step more than the rest of this function."""
    global _last_stamp
    stamp = _time_ns() // 100 + _UUID_EPOCH
    if stamp <= _last_stamp:
        stamp = _last_stamp + 1
    _last_stamp = stamp
    value = (
        ((stamp >> 12) & 0xFFFFFFFFFFFF) << 80
        | 0x6000 << 64  # version 6
        | (stamp & 0x0FFF) << 64
        | (0x8000 | (step & 0x3FFF)) << 48  # the RFC variant, then the clock sequence
        | _random_bits(48)
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class TaskPlan(NamedTuple):
    """One task of the step after a checkpoint, without running anything."""

    id: str
    name: str
    path: tuple[Any, ...]
    triggers: tuple[str, ...]
    arg: Any


def plan_tasks(
    graph: CompiledStateGraph, checkpoint: dict[str, Any], ns_str: str, step: int, *, in_run: bool = True
) -> list[TaskPlan]:
    """The tasks the step after ``checkpoint`` runs, with LangGraph's deterministic ids.

    In a run they come in node-name order; read back from a saved checkpoint (``in_run=False``),
    in the order the graph's nodes were added, as LangGraph lists them.
    """
    pending = pending_of(graph, checkpoint)
    cid = binascii.unhexlify(checkpoint["id"].replace("-", ""))
    lay = layout(graph)
    plans: list[TaskPlan] = []
    if pending.start:
        ns = f"{ns_str}|{START}" if ns_str else START
        plans.append(
            TaskPlan(_task_id(cid, ns, str(step), START, PULL, START), START, (PULL, START), (START,), None)
        )
        return plans
    for index, send in enumerate(pending.sends):
        ns = f"{ns_str}|{send.node}" if ns_str else send.node
        tid = _task_id(cid, ns, str(step), send.node, PUSH, str(index))
        plans.append(TaskPlan(tid, send.node, (PUSH, index, False), (PUSH,), send.arg))
    pulls = _runnable(graph, pending.pulls, pending.sends)
    for name in sorted(pulls) if in_run else [n for n in graph.nodes if n in pulls]:
        ns = f"{ns_str}|{name}" if ns_str else name
        trig = lay.triggers[name]
        plans.append(
            TaskPlan(_task_id(cid, ns, str(step), name, PULL, *trig), name, (PULL, name), trig, None)
        )
    return plans


class Saving:
    """One run's link to its thread: restores the run from a checkpoint and saves each step."""

    __slots__ = (
        "after",
        "aio",
        "before",
        "checkpoint",
        "config",
        "config_metadata",
        "control",
        "dropped",
        "durability",
        "exit_chain",
        "exit_writes",
        "forked",
        "fresh",
        "loaded",
        "loaded_source",
        "ns_str",
        "owed_input",
        "owns_writer",
        "parents",
        "pending",
        "prefetched",
        "preloaded",
        "queue",
        "rehandled",
        "rehandling",
        "resumed",
        "run",
        "saved_config",
        "saver",
        "source",
        "thread_id",
        "user_configurable",
        "writer",
    )

    def __init__(
        self,
        run: Run,
        saver: Any,
        configurable: dict[str, Any],
        *,
        durability: str,
        before: frozenset[str],
        after: frozenset[str],
        parents: dict[str, str] | None = None,
        ns_str: str | None = None,
    ) -> None:
        self.run = run
        self.saver = saver
        self.thread_id = configurable.get("thread_id")
        #: the checkpoint namespace: the run's, or for a checkpointer=True subgraph the same without
        #: its task id, so that its state outlives one call
        self.ns_str = run.ns_str if ns_str is None else ns_str
        #: the config that addresses the thread (and, if the caller gave one, a checkpoint)
        self.config = {"configurable": {**configurable, "checkpoint_ns": self.ns_str}}
        self.durability = durability
        self.before = before
        self.after = after
        self.parents = parents or {}
        self.checkpoint: dict[str, Any] = _empty()
        #: the config of the last checkpoint saved or loaded (None before the first)
        self.saved_config: dict[str, Any] | None = None
        #: pending writes of the current checkpoint: (task id, channel, value)
        self.pending: list[tuple[str, str, Any]] = []
        #: whether the run is async: the saver's async methods are used, through ``queue``
        self.aio = False
        self.prefetched: Any = None
        self.queue: list[tuple[bool, tuple[Any, ...]]] = []
        #: tasks of the current step whose writes were loaded, not run
        self.preloaded: list[Task] = []
        #: tasks of the current step that failed in an earlier run and were handed to their error
        #: handler: not run again (``rehandling``); their handlers run again (``rehandled``)
        self.rehandling: list[Task] = []
        self.rehandled: list[Task] = []
        self.resumed = False
        #: the checkpoint tuple the run loaded (None on a new thread), and whether it forked from it
        self.loaded: Any = None
        self.forked = False
        #: the ``source`` of the checkpoint the run loaded (a fork from "update"/"fork" saves none)
        self.loaded_source: str | None = None
        #: nodes the last run left pending that a new input drops
        self.dropped: list[str] = []
        #: the call's config["metadata"], which LangGraph copies into each checkpoint's metadata
        self.config_metadata: dict[str, Any] = {}
        #: the call's configurable values besides the thread's address (also copied by the saver)
        self.user_configurable: dict[str, Any] = {}
        #: the channels whose version changed since the last put (the saver gets only those)
        self.fresh: set[str] = set()
        #: with durability="exit": the checkpoints a run made, saved as one when it ends
        self.exit_chain: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
        #: with durability="exit": (task id, writes) kept until the run ends
        self.exit_writes: list[tuple[str, list[tuple[str, Any]]]] = []
        #: the source of the checkpoint a step saves: "loop", or "update" for update_state
        self.source = "loop"
        #: the input a fresh run still has to save (at its first step), or None
        self.owed_input: dict[str, Any] | None = None
        #: what a view may do with this thread (a GraphThread), on the root run of a watched call
        self.control: Any = None
        #: with durability="async" in a sync run: the run's saves, made in the background (its
        #: subgraphs share the root's); None when saves are made inline
        self.writer: SaveQueue | None = None
        #: whether this run's end waits for ``writer`` (the root of the thread's run; not subgraphs)
        self.owns_writer = False

    # -- reading the thread -------------------------------------------------------------------------
    def load(self) -> Any:
        """Read the checkpoint the config addresses (the latest if it names none)."""
        if self.saver is None:
            return None
        if self.writer is not None:  # a subgraph reads what its earlier calls saved
            self.writer.wait()
        tup = self.prefetched if self.aio else read_checkpoint(self.saver, self.config)
        conf = self.config["configurable"]
        if tup is None and conf.get("checkpoint_id"):
            raise ThreadError(
                f"thread {self.thread_id!r} has no checkpoint {conf['checkpoint_id']!r}"
                + (f" in namespace {self.ns_str!r}" if self.ns_str else "")
                + "; list its checkpoints with get_state_history(config)"
            )
        if tup is not None:
            self.checkpoint = _copy_checkpoint(tup.checkpoint)
            self.saved_config = tup.config
            self.pending = list(tup.pending_writes or ())
            self.run.step = int((tup.metadata or {}).get("step", -1))
            self.loaded_source = (tup.metadata or {}).get("source")
        return tup

    def restore_values(self) -> dict[str, Any]:
        """The state keys of the current checkpoint (defaults for keys it has no value for)."""
        graph = self.run.graph
        saved = self.checkpoint["channel_values"]
        values: dict[str, Any] = {}
        for key, channel in graph.channels.items():
            if key in saved:
                values[key] = saved[key]
            elif channel.default_factory is not None:
                values[key] = channel.default_factory()
        return values

    def restore_routing(self) -> None:
        """Set the run's pulls, sends and partial joins from the current checkpoint."""
        run = self.run
        pending = pending_of(run.graph, self.checkpoint)
        run._pulls = pending.pulls
        run._sends = pending.sends
        values = self.checkpoint["channel_values"]
        for i, (_, _, channel) in enumerate(run.graph.joins):
            arrived = values.get(channel)
            if arrived and channel not in {c for cs in pending.pulls.values() for c in cs}:
                run._joins_seen[i] = set(arrived)

    # -- starting a run -----------------------------------------------------------------------------
    def start(self, input: Any) -> bool:
        """Load the thread; True when the run continues it (``input`` is None or a Command)."""
        tup = self.loaded = self.load()
        run = self.run
        if run.ns and tup is not None and run.root.resuming:
            # a subgraph run again by a resumed parent task continues its own checkpoint
            input = None
        if input is not None and not isinstance(input, Command):
            if tup is not None:
                run.values = self.restore_values()
                self.restore_routing()
                # as LangGraph: new input drops what the last run left pending (it is not run)
                self.dropped = list(run._pulls)
                run._pulls, run._sends = {}, []
            return False
        if tup is None:
            if isinstance(input, Command) and input.resume is not None:
                raise ThreadError(
                    f"Command(resume=...) for thread {self.thread_id!r}, which has no checkpoint: "
                    "there is nothing to resume. Start the thread with an input first."
                )
            if input is None:
                raise EmptyInputError(
                    f"Received no input for {START}: thread {self.thread_id!r} has no checkpoint to "
                    "continue from"
                )
        run.values = self.restore_values()
        self.restore_routing()
        self.resumed = True
        run.root.resuming = True
        pending_nodes = bool(run._pulls or run._sends)
        conf = self.config["configurable"]
        if run.ns == () and not conf.get("checkpoint_id"):
            # as LangGraph: an answer saved on the checkpoint (Command(resume=v) of a call that
            # paused again) still answers the next interrupt() that has none of its own, also when
            # this call answers by interrupt id; a new Command(resume=v) replaces it
            for tid, channel, value in self.pending:
                if tid == NULL_TASK_ID and channel == RESUME:
                    run.root.resume = OneAnswer(value)
                    break
        if isinstance(input, Command):
            self._apply_command(input, pending_nodes)
        answering = isinstance(input, Command) and input.resume is not None
        # replaying an older checkpoint (time travel): the new run forks from it
        replaying = conf.get("checkpoint_id") and not answering and pending_nodes
        if replaying and self.loaded_source not in ("update", "fork"):
            self.pending = [w for w in self.pending if w[1] not in (INTERRUPT, RESUME)]
            run.step += 1
            self.forked = True
            self._put({"source": "fork"}, ())
        return True

    def _apply_command(self, command: Command[Any], pending_nodes: bool) -> None:
        run = self.run
        root = run.root
        if command.resume is not None:
            if not pending_nodes:
                raise ThreadError(
                    f"Command(resume=...) for thread {self.thread_id!r}: its checkpoint "
                    f"{self.checkpoint['id']!r} has nothing waiting for an answer (no interrupt, no "
                    "node to run). Check get_state(config).interrupts before resuming."
                )
            resume = command.resume
            waiting = self.waiting_interrupts()
            if isinstance(resume, dict) and resume and all(_is_digest(k) for k in resume):
                unknown = [k for k in resume if k not in waiting]
                if unknown:
                    raise ThreadError(
                        f"Command(resume={{{unknown[0]!r}: ...}}) for thread {self.thread_id!r}: no "
                        f"interrupt with that id waits at checkpoint {self.checkpoint['id']!r}; "
                        f"waiting: {sorted(waiting) or 'none'}"
                    )
                root.resume_map = dict(resume)
            else:
                if len(waiting) > 1:
                    raise RuntimeError(
                        "When there are multiple pending interrupts, you must specify the interrupt id "
                        "when resuming. Docs: https://docs.langchain.com/oss/python/langgraph/"
                        "interrupts#handling-multiple-interrupts."
                    )
                root.resume = OneAnswer(resume)
                self._put_writes(NULL_TASK_ID, [(RESUME, resume)])
        writes = _command_writes(command, run.graph)
        if writes:
            self._put_writes(NULL_TASK_ID, writes)
            self._apply_null_writes(writes)
        if command.goto:
            for target in _gotos(command.goto):
                if isinstance(target, Send):
                    run._sends.append(target)
                else:
                    run._pulls.setdefault(target, [])

    def waiting_interrupts(self) -> dict[str, Interrupt]:
        """The interrupts of the current checkpoint that have no answer yet, by id."""
        by_task: dict[str, list[tuple[str, Any]]] = {}
        for tid, channel, value in self.pending:
            by_task.setdefault(tid, []).append((channel, value))
        out: dict[str, Interrupt] = {}
        for writes in by_task.values():
            if succeeded(writes):  # answered since, and done
                continue
            for channel, value in writes:
                if channel == INTERRUPT:
                    for item in _interrupts(value):
                        out[item.id] = item
        return out

    def _apply_null_writes(self, writes: list[tuple[str, Any]]) -> None:
        run = self.run
        channels = run.graph.channels
        values = dict(run.values)
        for key, value in writes:
            if key in channels:
                values[key] = channels[key].fold(values.get(key, MISSING), (value,), ("__input__",), run.step)
        run.values = {k: values[k] for k in channels if k in values}

    # -- steps ------------------------------------------------------------------------------------
    def save_input(self, input_writes: dict[str, Any]) -> None:
        """Save the input as LangGraph does: an ``input`` checkpoint holding it on ``__start__``
        (shown with the state from before it), the step before the run's first (-1 on a new
        thread). Its start task's writes are saved by :meth:`input_step`, once START has routed."""
        run = self.run
        cp = self.checkpoint
        # the previous run's pending tasks are dropped: they count as seen
        for name in self.dropped:
            self._mark_seen(name, layout(run.graph).triggers[name])
        cp["channel_values"][START] = input_writes
        cp["channel_versions"][START] = self._next_version()
        self.fresh.add(START)
        cp["versions_seen"].setdefault(INPUT, {})
        run.step -= 1
        self._put({"source": "input"}, (START,), values=self.restore_values())
        run.step += 1
        self.owed_input = input_writes

    def input_step(self, input_writes: dict[str, Any]) -> None:
        """The start task's writes on the input checkpoint, then the ``loop`` checkpoint after them
        (the run's step is that checkpoint's)."""
        run = self.run
        cp = self.checkpoint
        plans = plan_tasks(run.graph, cp, self.ns_str, run.step)
        start_id = plans[0].id if plans else NULL_TASK_ID
        writes = [(k, v) for k, v in input_writes.items()]
        writes.extend((f"branch:to:{name}", None) for name in run._pulls)
        writes.extend((TASKS, pack_send(s)) for s in run._sends)
        self._put_writes(start_id, writes)
        self._mark_seen(START, (START,))
        updated = set(input_writes) | {f"branch:to:{n}" for n in run._pulls}
        if run._sends:
            updated.add(TASKS)
        self._advance(updated, clear=(START,))
        self._put({"source": "loop"}, ())

    def prepare(self, tasks: list[Task]) -> list[Task]:
        """Give a new step's tasks their ids; tasks whose writes are saved are loaded, not run."""
        run = self.run
        triggers = layout(run.graph).triggers
        step = str(run.step)
        cid = binascii.unhexlify(self.checkpoint["id"].replace("-", ""))
        prefix = f"{self.ns_str}|" if self.ns_str else ""
        for task in tasks:
            name = task.node.name
            if task.path[0] == PUSH:
                task.id = _task_id(cid, prefix + name, step, name, PUSH, str(task.path[1]))
            else:
                task.triggers = triggers[name]
                task.id = _task_id(cid, prefix + name, step, name, PULL, *task.triggers)
        self.preloaded = []
        if self.rehandling:
            self.rehandling, self.rehandled = [], []
        if not self.pending:
            return tasks
        saved: dict[str, list[tuple[str, Any]]] = {}
        for tid, channel, value in self.pending:
            saved.setdefault(tid, []).append((channel, value))
        to_run: list[Task] = []
        for task in tasks:
            writes = saved.get(task.id)
            if writes and succeeded(writes):
                _load_writes(task, writes, run.graph)
                self.preloaded.append(task)
            elif writes and task.node.error_handler is not None and (error := _handled_error(writes)):
                # as LangGraph: the node failed and was handled in an earlier run; its handler runs
                # again (after the step's other tasks), with the error as it was saved
                self.rehandling.append(task)
                self.rehandled.append(handler_task(run, task, error[0]))
            else:
                to_run.append(task)
        to_run.extend(self.rehandled)
        return to_run

    def handler_task_id(self, handler: str, failed: str, failed_id: str) -> str:
        """LangGraph's id for the task of error handler ``handler`` after task ``failed_id`` (whose
        namespace segment is ``failed``) failed."""
        ns = f"{self.ns_str}|{failed}|{handler}" if self.ns_str else f"{failed}|{handler}"
        cid = binascii.unhexlify(self.checkpoint["id"].replace("-", ""))
        step = str(self.run.step)
        return _task_id(cid, ns, step, handler, PUSH, "node_error_handler", failed_id)

    def _plans(self) -> list[TaskPlan]:
        """The tasks of the step after the current checkpoint, from the run's own routing."""
        run = self.run
        if START in self.checkpoint["channel_values"]:  # the input checkpoint: the start task
            return plan_tasks(run.graph, self.checkpoint, self.ns_str, run.step + 1)
        triggers = layout(run.graph).triggers
        step = str(run.step + 1)
        cid = binascii.unhexlify(self.checkpoint["id"].replace("-", ""))
        prefix = f"{self.ns_str}|" if self.ns_str else ""
        plans = [
            TaskPlan(
                _task_id(cid, prefix + s.node, step, s.node, PUSH, str(i)),
                s.node,
                (PUSH, i, False),
                (PUSH,),
                s.arg,
            )
            for i, s in enumerate(run._sends)
        ]
        for name in sorted(_runnable(run.graph, run._pulls, run._sends)):
            trig = triggers[name]
            plans.append(
                TaskPlan(
                    _task_id(cid, prefix + name, step, name, PULL, *trig), name, (PULL, name), trig, None
                )
            )
        return plans

    def resume_of(self, task: Task) -> list[Any]:
        """The answers a task's earlier interrupts already got (from its saved ``__resume__`` write)."""
        for tid, channel, value in self.pending:
            if tid == task.id and channel == RESUME:
                return list(value) if isinstance(value, list) else [value]
        return []

    def task_done(self, task: Task) -> None:
        """Save a finished task's writes on the current checkpoint (its pending writes)."""
        if task in self.preloaded:
            return
        writes = self.channel_writes(task)
        if task.interrupts:
            writes.append((INTERRUPT, [pack_interrupt(i) for i in task.interrupts]))
        elif task.error is not None:
            # a cancelled task, or one whose subgraph stopped at a breakpoint (an interrupt with
            # nothing to ask): nothing is saved, as LangGraph; the step runs it again
            if task.cancelled or isinstance(task.error, GraphInterrupt):
                return
            if handled(task):  # marked for a resumed step: its handler runs again, not the node
                writes = [*task.writes, (ERROR, task.error), (ERROR_SOURCE_NODE, task.node.name)]
            else:
                writes = [(ERROR, task.error)]
        elif not writes:  # done without writing: marked, so a resumed step does not run it again
            writes = [(NO_WRITES, None)]
        scratch = task.scratch
        if scratch is not None and scratch.resume:
            writes.append((RESUME, list(scratch.resume)))
        self._put_writes(task.id, writes)

    def channel_writes(self, task: Task) -> list[tuple[str, Any]]:
        """A task's outcome as LangGraph's channel writes."""
        if task.error is not None or task.interrupts:
            return []
        writes = list(task.writes)
        writes.extend((f"branch:to:{name}", None) for name in task.next_nodes)
        writes.extend((TASKS, pack_send(s)) for s in task.sends)
        for j in task.node.join_indexes:
            writes.append((self.run.graph.joins[j][2], task.node.name))
        return writes

    def step_done(self, tasks: Sequence[Task], written: Iterable[str]) -> None:
        """The step's writes are applied: save the ``loop`` checkpoint after it."""
        run = self.run
        updated = set(written)
        lay = layout(run.graph)
        if self.rehandling:  # not run again, but the step consumed what triggered them
            tasks = [*tasks, *self.rehandling]
            self.rehandling, self.rehandled = [], []
        branch = lay.branch
        saved_values = self.checkpoint["channel_values"]
        consumed: list[str] = []
        pushed = False
        for t in tasks:
            name = t.node.name
            if t.path[0] == PULL:
                triggers = lay.triggers[name]
                self._mark_seen(name, triggers)
                consumed.extend([c for c in triggers if c in saved_values])
            else:
                pushed = True
                self.checkpoint["versions_seen"].setdefault(name, {})
            for target in t.next_nodes:
                updated.add(branch.get(target) or f"branch:to:{target}")
            if t.sends:
                updated.add(TASKS)
            for j in t.node.join_indexes:
                updated.add(run.graph.joins[j][2])
        if pushed:
            consumed.append(TASKS)
        given = run.root.resume
        if given is not MISSING and not run.ns:
            # the answer lived in the root checkpoint's pending writes: a new checkpoint drops it
            given.value = MISSING
        self._advance(updated, clear=tuple(consumed))
        self._put({"source": self.source}, ())

    def _mark_seen(self, name: str, channels: Iterable[str]) -> None:
        versions = self.checkpoint["channel_versions"]
        all_seen = self.checkpoint["versions_seen"]
        # a new dict, never an update in place: saved checkpoints share the others (copy on write)
        seen = dict(all_seen.get(name, ()))
        for channel in channels:
            if channel in versions:
                seen[channel] = versions[channel]
        all_seen[name] = seen

    def _next_version(self) -> Any:
        versions = self.checkpoint["channel_versions"]
        current = max(versions.values()) if versions else None
        if self.saver is None:
            return 1 if current is None else current + 1
        return self.saver.get_next_version(current, None)

    def _advance(self, updated: set[str], clear: tuple[str, ...]) -> None:
        """Bump the versions of the channels this step wrote or emptied; set the saved values."""
        run = self.run
        cp = self.checkpoint
        values = cp["channel_values"]
        versions = cp["channel_versions"]
        version = self._next_version()
        bumped = set(updated)
        # channels read this step are emptied (the ephemeral branch channels, fired joins, sends)
        for channel in clear:
            if channel in values and channel not in updated:
                bumped.add(channel)
        for channel in [c for c in values if c.startswith("branch:to:") or c == START]:
            if channel not in updated:
                del values[channel]
                bumped.add(channel)
        for channel in bumped:
            versions[channel] = version
        self.fresh |= bumped
        state = run.values
        for key in run.graph.channels:
            if key in state:
                values[key] = state[key]
        for name in run._pulls:
            values[f"branch:to:{name}"] = None
        for i, (sources, _, channel) in enumerate(run.graph.joins):
            fired = any(channel in joins for joins in run._pulls.values())
            arrived = set(sources) if fired else run._joins_seen[i]
            if arrived:
                values[channel] = set(arrived)
            elif channel in values:
                values[channel] = set()
        if TASKS in versions or run._sends:
            values[TASKS] = [pack_send(s) for s in run._sends]
        cp["updated_channels"] = sorted(updated)

    # -- saving ----------------------------------------------------------------------------------
    def _put(
        self, metadata: dict[str, Any], updated: tuple[str, ...], values: dict[str, Any] | None = None
    ) -> None:
        run = self.run
        cp = self.checkpoint
        cp["id"] = _uuid6(run.step)
        cp["ts"] = _now()
        if updated:
            cp["updated_channels"] = list(updated)
        metadata["step"] = run.step
        metadata["parents"] = dict(self.parents)
        parent = self.saved_config
        address = {**self.user_configurable, "thread_id": self.thread_id, "checkpoint_ns": self.ns_str}
        if parent:
            address["checkpoint_id"] = parent["configurable"]["checkpoint_id"]
        # the saver adds the call's metadata and plain configurable values to the checkpoint's
        # metadata (langgraph-checkpoint's get_checkpoint_metadata), as under LangGraph
        put_config = {"metadata": self.config_metadata, "configurable": address}
        versions = cp["channel_versions"]
        bumped = {c: versions[c] for c in self.fresh}
        self.fresh = set()
        snapshot_cp = _copy_checkpoint(cp)
        if self.saver is None:  # interrupt_before/after without a checkpointer: nothing is kept
            new_config = {}
        elif self.durability != "exit" or metadata.get("source") in ("update", "fork"):
            new_config = self._save(put_config, snapshot_cp, metadata, bumped)
        else:
            new_config = {
                "configurable": {
                    "thread_id": self.thread_id,
                    "checkpoint_ns": self.ns_str,
                    "checkpoint_id": cp["id"],
                }
            }
            self.exit_chain.append((put_config, snapshot_cp, metadata))
        self.pending = []
        self.loaded_source = metadata.get("source")
        parent_config = self.saved_config
        self.saved_config = new_config
        bus = run.root.bus
        if bus.silent:
            return
        plans = self._plans()
        saved = CheckpointSaved(
            run.root.run_id,
            run.ns,
            run.step,
            _with_map(new_config, metadata) or {},
            metadata,
            dict(run.values) if values is None else values,
            tuple(p.name for p in plans),
            tuple(self._plan_task(p) for p in plans),
            _with_map(parent_config, metadata),
            cp["ts"],
        )
        run._publish(saved)

    def announce(self) -> None:
        """As LangGraph: a resumed run first shows the checkpoint it continues from, with what its
        pending writes say of its tasks (their interrupts, results, errors)."""
        run = self.run
        tup = self.loaded
        if tup is None or run.root.bus.silent or self.forked:
            return
        shown = snapshot(run.graph, self.saver, tup, live=False, in_run=True)
        run._publish(
            CheckpointSaved(
                run.root.run_id,
                run.ns,
                run.step,
                _with_map(tup.config, tup.metadata or {}) or {},
                tup.metadata or {},
                shown.values,
                shown.next,
                shown.tasks,
                _with_map(tup.parent_config, tup.metadata or {}),
                shown.created_at or "",
            )
        )

    def _plan_task(self, plan: TaskPlan) -> PregelTask:
        state = None
        if plan.name in layout(self.run.graph).held:
            ns = f"{plan.name}:{plan.id}"
            state = {
                "configurable": {
                    "thread_id": self.thread_id,
                    "checkpoint_ns": f"{self.ns_str}|{ns}" if self.ns_str else ns,
                }
            }
        return PregelTask(plan.id, plan.name, plan.path, None, (), state, None)

    def _put_writes(self, task_id: str, writes: list[tuple[str, Any]]) -> None:
        self.pending.extend((task_id, c, v) for c, v in writes)
        if self.saved_config is None or self.saver is None:
            return
        if self.durability == "exit":
            self.exit_writes.append((task_id, writes))
            return
        self._save_writes(self.saved_config, writes, task_id)

    # -- the saver's I/O: direct or in the background in sync runs, queued and awaited by the async
    # driver -----------------------------------------------------------------------------------------
    def _save(
        self, config: dict[str, Any], cp: dict[str, Any], metadata: dict[str, Any], new: dict[str, Any]
    ) -> Any:
        writer = self.writer
        if writer is not None:
            writer.check()  # a background save failed: the run stops here, at its next checkpoint
            writer.put(config, cp, metadata, new)
        elif not self.aio:
            return self.saver.put(config, cp, metadata, new)
        else:
            self.queue.append((True, (config, cp, metadata, new)))
        conf = config["configurable"]
        return {
            "configurable": {
                "thread_id": conf["thread_id"],
                "checkpoint_ns": conf["checkpoint_ns"],
                "checkpoint_id": cp["id"],
            }
        }

    def _save_writes(self, config: dict[str, Any], writes: list[tuple[str, Any]], task_id: str) -> None:
        if self.writer is not None:
            self.writer.put_writes(config, writes, task_id)
        elif not self.aio:
            self.saver.put_writes(config, writes, task_id)
        else:
            self.queue.append((False, (config, writes, task_id)))

    async def aprefetch(self) -> None:
        """An async run reads its checkpoint with the saver's async method, before it starts."""
        self.aio = True
        self.writer = None  # its saves are awaited by the driver (aflush)
        if self.saver is not None:
            self.prefetched = await aread_checkpoint(self.saver, self.config)

    async def aflush(self) -> None:
        """Await the saves an async run queued, in order (AsyncSqliteSaver, AsyncPostgresSaver...)."""
        while self.queue:
            is_put, args = self.queue.pop(0)
            if is_put:
                await self.saver.aput(*args)
            else:
                await self.saver.aput_writes(*args)

    def flush_exit(self) -> None:
        """With ``durability="exit"``: save the last checkpoint and its pending writes now."""
        if self.saver is None:
            return
        chain, self.exit_chain = self.exit_chain, []
        if chain:
            # the saver sees one checkpoint, the last, on the one before the run; every channel is
            # new to it
            first_parent = chain[0][0]
            _, cp, metadata = chain[-1]
            self.saved_config = self._save(first_parent, cp, metadata, dict(cp["channel_versions"]))
        if self.saved_config is not None:
            for task_id, writes in self.exit_writes:
                self._save_writes(self.saved_config, writes, task_id)
        self.exit_writes = []

    def close(self) -> BaseException | None:
        """The run ends well: save what durability="exit" kept, and wait for the background saves."""
        self.flush_exit()
        return self.settle()

    def settle(self) -> BaseException | None:
        """Wait for the run's background saves (the root run's only: its subgraphs share them);
        return the error of a failed one the run has not raised yet."""
        if self.owns_writer and self.writer is not None:
            return self.writer.settle()
        return None


def _empty() -> dict[str, Any]:
    return {
        "v": 4,
        "id": "",
        "ts": "",
        "channel_values": {},
        "channel_versions": {},
        "versions_seen": {},
        "updated_channels": None,
    }


def _copy_checkpoint(cp: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": cp.get("v", 4),
        "id": cp["id"],
        "ts": cp["ts"],
        "channel_values": dict(cp.get("channel_values") or {}),
        "channel_versions": dict(cp.get("channel_versions") or {}),
        # the per-node dicts are replaced, never changed, once saved (see _mark_seen)
        "versions_seen": dict(cp.get("versions_seen") or {}),
        "updated_channels": list(cp.get("updated_channels") or ()) or None,
    }


def _handled_error(writes: list[tuple[str, Any]]) -> tuple[Any] | None:
    """The saved error of a task whose failure went to its error handler (in a 1-tuple), else None."""
    if not any(c == ERROR_SOURCE_NODE for c, _ in writes):
        return None
    return next(((v,) for c, v in reversed(writes) if c == ERROR), None)


def succeeded(writes: list[tuple[str, Any]]) -> bool:
    """Whether a task's saved writes say it finished (an earlier try's interrupt or error may remain:
    the savers keep one such write per task and add the later try's writes beside it)."""
    return any(c not in _SPECIAL or c == NO_WRITES for c, _ in writes)


def read_checkpoint(saver: Any, config: dict[str, Any]) -> Any:
    """``saver.get_tuple(config)``; a checkpoint that cannot be read is a ThreadError naming it."""
    settle_all()  # a run saving in the background: read what it has saved first
    try:
        return saver.get_tuple(config)
    except Exception as exc:
        raise _unreadable(config, exc) from exc


async def aread_checkpoint(saver: Any, config: dict[str, Any]) -> Any:
    """``saver.aget_tuple(config)``, with :func:`read_checkpoint`'s error."""
    settle_all()
    try:
        return await saver.aget_tuple(config)
    except Exception as exc:
        raise _unreadable(config, exc) from exc


def _unreadable(config: dict[str, Any], exc: Exception) -> Exception:
    if (
        isinstance(exc, KeyError | NotImplementedError | ThreadError)
        or type(exc).__name__ == "InvalidStateError"
    ):
        return exc  # the saver's own words are clear: a missing thread_id, an async-only saver...
    conf = config.get("configurable") or {}
    where = f"checkpoint {conf['checkpoint_id']!r}" if conf.get("checkpoint_id") else "its latest checkpoint"
    ns = f" in namespace {conf['checkpoint_ns']!r}" if conf.get("checkpoint_ns") else ""
    return ThreadError(
        f"thread {conf.get('thread_id')!r}: {where}{ns} cannot be read ({type(exc).__name__}: {exc}); it is "
        "corrupt or was written by something else. Nothing was changed; start another thread_id, or go "
        "back to an earlier checkpoint with get_state_history(config)"
    )


def _is_digest(key: Any) -> bool:
    return isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)


def _gotos(goto: Any) -> list[Any]:
    if isinstance(goto, str | Send):
        return [goto]
    return list(goto)


def _command_writes(command: Command[Any], graph: CompiledStateGraph) -> list[tuple[str, Any]]:
    update = command.update
    if update is None:
        return []
    if isinstance(update, dict):
        pairs = list(update.items())
    elif isinstance(update, list | tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in update):
        pairs = list(update)
    else:
        from nbstream.graph._state import input_to_dict

        pairs = list(input_to_dict(update, graph.state_info).items())
    for key, _ in pairs:
        if key not in graph.channels:
            raise InvalidUpdateError(
                f"Command(update=...) names key {key!r}, which graph {graph.name!r} does not have; "
                f"its keys: {list(graph.channels)}"
            )
    return pairs


def _load_writes(task: Task, writes: list[tuple[str, Any]], graph: CompiledStateGraph) -> None:
    """Put a task's saved channel writes back on it, as if it had just run (it is not run again)."""
    state: list[tuple[str, Any]] = []
    for channel, value in writes:
        if channel in graph.channels:
            state.append((channel, value))
        elif channel.startswith("branch:to:"):
            task.next_nodes.append(channel[len("branch:to:") :])
        elif channel == TASKS and (send := unpack_send(value)) is not None:
            task.sends.append(send)
    task.writes = state
    keys = [key for key, _ in state]
    if len(set(keys)) < len(keys):  # as LangGraph shows writes again: one dict per write
        task.update = [{key: value} for key, value in state]
    else:
        task.update = dict(state) or None
    task.cached = True


# -- snapshots -----------------------------------------------------------------------------------
def snapshot(
    graph: CompiledStateGraph,
    saver: Any,
    tup: Any,
    *,
    live: bool,
    subgraphs: bool = False,
    config: dict[str, Any] | None = None,
    in_run: bool = False,
) -> StateSnapshot:
    """LangGraph's ``StateSnapshot`` of a saved checkpoint (``live``: as ``get_state`` shows it)."""
    if tup is None:  # a thread never used: LangGraph's empty snapshot, with the config asked for
        return StateSnapshot({}, (), config or {}, None, None, None, (), ())
    cp = tup.checkpoint
    meta = tup.metadata or {}
    ns_str = tup.config["configurable"].get("checkpoint_ns", "")
    step = int(meta.get("step", -1)) + 1
    plans = plan_tasks(graph, cp, ns_str, step, in_run=in_run)
    values = {k: cp["channel_values"][k] for k in graph.channels if k in cp["channel_values"]}
    for key, channel in graph.channels.items():
        if key not in values and channel.default_factory is not None:
            values[key] = channel.default_factory()
    values = {k: values[k] for k in graph.channels if k in values}
    by_task: dict[str, list[tuple[str, Any]]] = {}
    null_writes: list[tuple[str, Any]] = []
    for tid, channel, value in tup.pending_writes or ():
        if tid == NULL_TASK_ID:
            null_writes.append((channel, value))
        else:
            by_task.setdefault(tid, []).append((channel, value))
    for key, value in null_writes:
        if key in graph.channels:
            values[key] = graph.channels[key].fold(values.get(key, MISSING), (value,), ("__input__",), step)
    tasks: list[PregelTask] = []
    all_interrupts: list[Interrupt] = []
    finished: list[tuple[Any, str, list[tuple[str, Any]]]] = []
    for plan in plans:
        writes = by_task.get(plan.id, [])
        error = next((v for c, v in writes if c == ERROR), None)
        interrupts: tuple[Interrupt, ...] = tuple(
            i for c, v in writes if c == INTERRUPT for i in _interrupts(v)
        )
        done = [(c, v) for c, v in writes if c not in _SPECIAL]
        result: Any = None
        if succeeded(writes):
            error = None
            if live:  # answered since: only a record of the step (history) keeps its interrupts
                interrupts = ()
            state_writes = [(c, v) for c, v in done if c in graph.channels]
            # as LangGraph: a graph run inside a node (invoked, so its output keys are the stream's)
            # shows only those in its checkpoints chunks' task results
            shown = state_writes
            if in_run and ns_str:
                shown = [(c, v) for c, v in state_writes if c in graph.output_info.keys]
            result = _result(tuple(shown))
            order = (0, plan.name) if plan.path[0] == PULL else (1, plan.path[1])
            finished.append((order, plan.name, state_writes))
        state: Any = None
        sub = layout(graph).held.get(plan.name)
        if sub is not None:
            sub_ns = f"{plan.name}:{plan.id}"
            sub_ns = f"{ns_str}|{sub_ns}" if ns_str else sub_ns
            sub_config = {
                "configurable": {
                    "thread_id": tup.config["configurable"]["thread_id"],
                    "checkpoint_ns": sub_ns,
                }
            }
            if subgraphs:
                # as LangGraph: a subgraph that has not started shows an empty snapshot whose config
                # addresses it (with the saver, under LangGraph's key for it)
                asked = {"configurable": {"__pregel_checkpointer": saver, **sub_config["configurable"]}}
                state = snapshot(
                    sub, saver, read_checkpoint(saver, sub_config), live=live, subgraphs=True, config=asked
                )
            else:
                state = sub_config
        all_interrupts.extend(interrupts)
        tasks.append(
            PregelTask(
                plan.id,
                plan.name,
                plan.path,
                error,
                interrupts,
                state,
                result,
            )
        )
    if live and finished:
        # applied as a step's writes are (so two tasks writing one plain key conflict here too)
        ordered = sorted(finished, key=lambda f: f[0])
        values, _ = fold_writes(graph.channels, values, [(name, writes) for _, name, writes in ordered], step)
    next_names = tuple(t.name for t in tasks if not (live and (t.result is not None)))
    return StateSnapshot(
        values,
        next_names,
        _with_map(tup.config, meta) or {},
        meta,
        cp.get("ts"),
        _with_map(tup.parent_config, meta),
        tuple(tasks),
        tuple(all_interrupts),
    )


def _with_map(config: dict[str, Any] | None, meta: dict[str, Any]) -> dict[str, Any] | None:
    """As LangGraph: a subgraph checkpoint's config also names its ancestors' (``checkpoint_map``)."""
    parents = meta.get("parents")
    if config is None or not parents:
        return config
    conf = config["configurable"]
    return {
        **config,
        "configurable": {**conf, "checkpoint_map": {**parents, conf["checkpoint_ns"]: conf["checkpoint_id"]}},
    }


# -- interrupt() -----------------------------------------------------------------------------------
class OneAnswer:
    """``Command(resume=value)``'s value: it answers one ``interrupt()``, the first that has no answer
    of its own, wherever it is. Graphs invoked inside the run's nodes share this object (their
    roots copy the reference), so it is consumed once for the whole call, as in LangGraph; and as
    there, it is kept with the root checkpoint's pending writes: it expires when the root's step
    completes (``Saving.step_done``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Scratch:
    """What ``interrupt()`` keeps for one task: its namespace, its answers so far, its call count."""

    __slots__ = ("counter", "ns", "resume")

    def __init__(self, ns: str, resume: list[Any]) -> None:
        self.ns = ns
        self.resume = resume
        self.counter = 0


def ask(value: Any, response_schema: Any) -> Any:
    """``interrupt(value)``: the answer the task already has for this call, or pause the run."""
    from nbstream.errors import GraphInterrupt
    from nbstream.runtime._context import CURRENT_TASK

    ctx = CURRENT_TASK.get()
    if ctx is None:
        raise RuntimeError(
            "interrupt() was called outside a running graph node: call it inside a node (or a tool "
            "a node runs) of a graph compiled with a checkpointer"
        )
    run, task = ctx.run, ctx.task
    pad: Scratch | None = task.scratch
    if pad is None:
        ns = task_segment(task)
        outer = run.saving.ns_str if run.saving is not None else run.ns_str
        if outer:
            ns = f"{outer}|{ns}"
        pad = Scratch(ns, run.saving.resume_of(task) if run.saving is not None else [])
        root = run.root
        if root.resume_map:
            for key in (interrupt_id(ns, len(pad.resume)), interrupt_id(ns, 0)):
                if key in root.resume_map:
                    pad.resume.append(root.resume_map[key])
                    break
        task.scratch = pad
    adapter = None
    if response_schema is not None and not isinstance(response_schema, dict):
        from pydantic import TypeAdapter

        adapter = TypeAdapter(response_schema)
    index = pad.counter
    pad.counter += 1
    if index < len(pad.resume):
        answer = pad.resume[index]
        return adapter.validate_python(answer) if adapter is not None else answer
    given = run.root.resume
    if given is not MISSING and given.value is not MISSING:
        answer, given.value = given.value, MISSING
        pad.resume.append(answer)
        return adapter.validate_python(answer) if adapter is not None else answer
    schema = adapter.json_schema() if adapter is not None else response_schema
    raise GraphInterrupt((Interrupt(value, interrupt_id(pad.ns, len(pad.resume)), response_schema=schema),))


# -- attaching a thread to a run -------------------------------------------------------------------
def attach(
    run: Run,
    saver: Any,
    config: dict[str, Any] | None,
    *,
    durability: str | None,
    before: Any,
    after: Any,
    parent: Run | None = None,
) -> Saving:
    """Give ``run`` its :class:`Saving` (a top-level call, or a subgraph of a run on a thread)."""
    graph = run.graph
    if parent is not None and parent.saving is not None:
        psave = parent.saving
        conf = {"thread_id": psave.thread_id}
        parents = dict(psave.parents)
        if psave.saved_config is not None:
            parents[psave.ns_str] = psave.saved_config["configurable"]["checkpoint_id"]
        saving = Saving(
            run,
            psave.saver,
            conf,
            durability=psave.durability,
            before=_node_set(graph, graph.interrupt_before_nodes),
            after=_node_set(graph, graph.interrupt_after_nodes),
            parents=parents,
            ns_str=_own_memory_ns(run.ns) if graph.checkpointer is True else None,
        )
        saving.config_metadata = psave.config_metadata
        saving.user_configurable = psave.user_configurable
        saving.writer = psave.writer
    else:
        conf = thread_config(config) if saver is not None else {}
        saving = Saving(
            run,
            _allowing(graph, saver) if saver is not None else None,
            conf,
            durability=durability or "async",
            before=_node_set(graph, before if before is not None else graph.interrupt_before_nodes),
            after=_node_set(graph, after if after is not None else graph.interrupt_after_nodes),
        )
        if saving.durability == "async" and saving.saver is not None and worth_a_queue(saver):
            saving.writer = SaveQueue(saving.saver)
            saving.owns_writer = True
        meta = (config or {}).get("metadata")
        if meta:
            saving.config_metadata = dict(meta)
        saving.user_configurable = {
            k: v
            for k, v in conf.items()
            if k not in ("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map")
        }
    run.saving = saving
    return saving


def _own_memory_ns(ns: tuple[str, ...]) -> str:
    """A checkpointer=True subgraph's namespace: its node's segment without the task id."""
    return "|".join((*ns[:-1], ns[-1].split(":")[0]))


#: nbstream's records a thread saves, which the savers' msgpack serializer must be allowed to rebuild
_OUR_TYPES = (
    ("nbstream._state_types", "Interrupt"),
    ("nbstream.types", "Send"),
    ("nbstream.types", "Command"),
    ("nbstream.types", "Overwrite"),
)


def _allowing(graph: CompiledStateGraph, saver: Any) -> Any:
    """The saver, told (as LangGraph tells it of its own types) that nbstream's records are safe."""
    cached = graph.__dict__.get("_nbstream_saver")
    if cached is not None and cached[0] is saver:
        return cached[1]
    if hasattr(saver, "with_allowlist"):
        allowed = saver.with_allowlist(_OUR_TYPES)
        if allowed is not saver:  # the user's own saver object must read these back too
            saver.serde = allowed.serde
    graph.__dict__["_nbstream_saver"] = (saver, saver)
    return saver


def _node_set(graph: CompiledStateGraph, nodes: Any) -> frozenset[str]:
    if not nodes:
        return frozenset()
    if nodes == "*":
        return frozenset(graph.nodes)
    names = frozenset(nodes)
    unknown = sorted(n for n in names if n not in graph.nodes)
    if unknown:
        raise ValueError(
            f"interrupt_before/interrupt_after name node {unknown[0]!r}, which graph {graph.name!r} does "
            f"not have; its nodes: {list(graph.nodes)}"
        )
    return names


class GraphThread:
    """The :class:`~nbstream.events.ThreadControl` of a run on a thread: what a view's buttons call."""

    def __init__(self, graph: CompiledStateGraph, config: dict[str, Any], observers: list[Any]) -> None:
        conf = dict(config.get("configurable") or {})
        conf.pop("checkpoint_id", None)
        self.thread_id = str(conf.get("thread_id"))
        self._config = {**config, "configurable": conf}
        self._graph = graph
        self._observers = observers

    def resume(self, value: Any) -> None:
        # None continues a run paused at interrupt_before/after (Command(resume=None) is no answer)
        answer: Command[Any] | None = Command(resume=value) if value is not None else None
        self._graph.invoke(answer, self._config, observers=self._observers)

    def fork(self, config: dict[str, Any]) -> None:
        self._graph.invoke(None, config, observers=self._observers)

    def history(self) -> list[Any]:
        return list(self._graph.get_state_history(self._config))
