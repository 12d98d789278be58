"""The typed events a run publishes: the one vocabulary of nbstream.

The runner knows nothing of stream modes or widgets; it publishes these events onto the bus
(:mod:`nbstream.bus`), and every consumer (the stream-mode projector, widgets, recorders) is a
function of them.

Every event carries:

* ``run_id``: the id of the top-level ``stream``/``invoke`` call (shared by its subgraphs);
* ``ns``: the namespace tuple of the graph that emitted it, ``()`` at the root and
  ``("node:<task_id>", ...)`` inside subgraphs, exactly as LangGraph's ``subgraphs=True`` namespaces;
* ``step``: the super-step number (``0`` is the input step, the first user node runs at ``1``).

Events are immutable ``typing.NamedTuple`` classes (building one costs a fifth of a frozen dataclass,
and the token path builds one per token). ``Event`` is the union of them all, usable with
``isinstance`` and ``match``. Values they carry (state snapshots, node writes, custom data, message
chunks) are shared by reference, never copied: treat them as read-only.

A run publishes, in order::

    RunStarted
      (StepStarted, TaskStarted*,
       [CustomData | LLMCallStarted | MessageChunk | LLMCallFinished
        | ToolCallStarted | ToolCallFinished | TaskRetrying]*,
       TaskFinished*, StepFinished, CheckpointSaved?)*   -- step 0 is the input step: no tasks
    RunFinished | RunFailed | RunInterrupted

A run on a thread (a graph compiled with a checkpointer) also publishes ``CheckpointSaved`` for each
checkpoint it writes, ``RunResumed`` right after ``RunStarted`` when it continues a saved thread, and
ends with ``RunInterrupted`` (not ``RunFinished``) when it paused on ``interrupt()`` or an
``interrupt_before``/``interrupt_after`` node.

A run with observers also publishes ``ToolCallStarted``/``ToolCallFinished`` around each
langchain-core tool a task runs (``tool.invoke``/``tool.ainvoke``, a ``ToolNode``); custom data a
tool writes carries that call's id (``CustomData.tool_call``). No stream mode shows them: LangGraph
has no tool-call chunk.

Subgraph runs publish the same sequence with their own ``ns`` in between, on the same bus.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Protocol, TypeAlias

__all__ = [
    "Event",
    "RunStarted",
    "RunFinished",
    "RunFailed",
    "StepStarted",
    "StepFinished",
    "TaskStarted",
    "TaskFinished",
    "TaskRetrying",
    "CustomData",
    "LLMCallStarted",
    "MessageChunk",
    "LLMCallFinished",
    "ToolCallStarted",
    "ToolCallFinished",
    "CheckpointSaved",
    "RunInterrupted",
    "RunResumed",
    "ThreadControl",
    "Namespace",
]

Namespace = tuple[str, ...]


class RunStarted(NamedTuple):
    """A graph (the root, or a subgraph) began running with ``input``."""

    run_id: str
    ns: Namespace
    step: int
    graph_name: str
    input: Any
    node_names: tuple[str, ...]
    #: the graph's static edges as ``(source, target, conditional)``, for drawing it
    edges: tuple[tuple[str, str, bool], ...]
    #: a subgraph's output schema keys when they are not all of its channels (an ``output_schema``,
    #: or private keys from node type hints): as LangGraph, its ``values`` and ``updates`` chunks
    #: show only those keys. ``None`` at the root and when nothing is cut.
    output_keys: tuple[str, ...] | None = None


class RunFinished(NamedTuple):
    """A graph ran to completion; ``output`` is what ``invoke`` returns for it."""

    run_id: str
    ns: Namespace
    step: int
    output: Any


class RunFailed(NamedTuple):
    """A graph stopped early: a node raised, the input was bad, or the consumer stopped it.

    ``cancelled`` is true when the run was stopped from outside (generator closed, task
    cancelled, KeyboardInterrupt), false when it failed on its own.
    """

    run_id: str
    ns: Namespace
    step: int
    error: BaseException
    cancelled: bool


class StepStarted(NamedTuple):
    """A super-step is about to run these tasks (ids in start order)."""

    run_id: str
    ns: Namespace
    step: int
    task_ids: tuple[str, ...]


class StepFinished(NamedTuple):
    """All tasks of a step finished and their writes were applied.

    ``values`` is the full state after the step (a fresh dict sharing its values with the
    previous snapshot); ``updated`` names the channels written in this step.
    """

    run_id: str
    ns: Namespace
    step: int
    values: dict[str, Any]
    updated: frozenset[str]


class TaskStarted(NamedTuple):
    """A task (one node execution) started.

    ``triggers`` are LangGraph's trigger channel names (``branch:to:x``, ``__pregel_push``...),
    ``path`` the task path used to order writes, ``metadata`` the node's user metadata.
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    input: Any
    triggers: tuple[str, ...]
    path: tuple[Any, ...]
    metadata: dict[str, Any]


class TaskFinished(NamedTuple):
    """A task ended, with its writes or with the error it raised.

    ``update`` is what the node returned, as LangGraph's ``updates`` mode shows it (``None`` if it
    wrote nothing); ``writes`` are the ``(channel, value)`` pairs it wrote to state channels.
    ``error`` is set when the node raised (``writes`` is then empty); ``cancelled`` when the task
    was stopped from outside; ``cached`` when its return value came from the graph's cache and the
    node did not run; ``handoff`` when it returned ``Command(graph=Command.PARENT, ...)``, which the
    parent graph applies (the subgraph then ends with ``RunFinished``).
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    update: Any
    writes: tuple[tuple[str, Any], ...]
    duration: float
    error: BaseException | None = None
    cancelled: bool = False
    cached: bool = False
    #: the ``Command`` this task sent to the parent graph (``Command.PARENT``): it wrote nothing here
    handoff: Any = None
    #: the ``Interrupt`` records of a task that paused on ``interrupt()`` (its error is then None)
    interrupts: tuple[Any, ...] = ()
    #: a task that failed after its ``interrupt()`` calls were answered: LangGraph counts the saved
    #: answers as output, so ``updates`` shows ``{node: None}`` before the error
    answered: bool = False


class TaskRetrying(NamedTuple):
    """A task's try failed with ``error`` and its retry policy runs it again after ``delay`` seconds.

    ``attempt`` is the number of the coming try (2 for the first retry).
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    attempt: int
    error: BaseException
    delay: float


class CustomData(NamedTuple):
    """A node (or anything it called) passed ``data`` to its stream writer.

    ``tool_call`` is the ``call_id`` of the tool call (``ToolCallStarted``) that wrote it, when a
    tool of this task wrote it while observers watched the run; ``None`` otherwise.
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    data: Any
    tool_call: str | None = None


class LLMCallStarted(NamedTuple):
    """A chat model call began inside a task; ``call_id`` is langchain-core's run id."""

    run_id: str
    ns: Namespace
    step: int
    call_id: str
    node: str
    tags: tuple[str, ...]
    metadata: dict[str, Any]


class MessageChunk(NamedTuple):
    """A message for ``messages`` mode: one streamed token, or one whole message.

    ``kind`` is ``"token"`` for a streamed chunk, ``"message"`` for a whole message (a non-streaming
    model's result, or a message a node returned). ``call_id`` is ``None`` for node-output messages.
    ``metadata`` is the LangGraph-compatible metadata dict (``langgraph_node``, ``tags``, ...),
    shared by reference across all chunks of one call.
    """

    run_id: str
    ns: Namespace
    step: int
    call_id: str | None
    node: str
    message: Any
    metadata: dict[str, Any]
    kind: Literal["token", "message"]


class LLMCallFinished(NamedTuple):
    """A chat model call ended; ``error`` is set when it failed (tokens already sent stand)."""

    run_id: str
    ns: Namespace
    step: int
    call_id: str
    node: str
    error: BaseException | None


class ToolCallStarted(NamedTuple):
    """A langchain-core tool began running inside a task (published only to runs with observers).

    ``call_id`` is langchain-core's run id for the tool run (unique, always set);
    ``tool_call_id`` is the model's id of the call when the tool was given a ``ToolCall``
    (``{"name", "args", "id", "type": "tool_call"}``, as ``ToolNode`` does), else ``None``.
    ``args`` are the tool's arguments as the model sent them (a dict; injected arguments left
    out), or the string the tool was called with.
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    call_id: str
    tool: str
    args: Any
    tool_call_id: str | None


class ToolCallFinished(NamedTuple):
    """A tool call ended: ``result`` is what the tool returned, ``error`` what it raised.

    ``result`` is a ``ToolMessage`` when the tool was given a ``ToolCall`` (its ``status`` is
    ``"error"`` when the tool handled its own error), else the tool's raw output (``None`` on error).
    ``duration`` is in seconds.
    """

    run_id: str
    ns: Namespace
    step: int
    task_id: str
    node: str
    call_id: str
    result: Any
    error: BaseException | None
    duration: float


class ThreadControl(Protocol):
    """What a view may do with the thread a paused run belongs to (buttons call these).

    Both ``resume`` and ``fork`` run the thread on in the calling thread and publish the new run's
    events to the same observers as the run that paused, so it continues in the same view.
    """

    thread_id: str

    def resume(self, value: Any) -> None:
        """Resume the thread with ``Command(resume=value)``."""

    def fork(self, config: dict[str, Any]) -> None:
        """Run the thread again from the checkpoint ``config`` addresses (time travel)."""

    def history(self) -> list[Any]:
        """The thread's checkpoints as ``StateSnapshot`` values, newest first."""


class CheckpointSaved(NamedTuple):
    """A run on a thread saved a checkpoint (only graphs compiled with a checkpointer publish it).

    ``config`` addresses the checkpoint (``thread_id``, ``checkpoint_ns``, ``checkpoint_id``), as
    LangGraph's ``StateSnapshot.config``; ``metadata`` is LangGraph's (``source``, ``step``,
    ``parents``); ``values`` the state saved; ``next`` the nodes that run after it; ``tasks`` those
    tasks as ``PregelTask`` records (with their interrupts, if any).
    """

    run_id: str
    ns: Namespace
    step: int
    config: dict[str, Any]
    metadata: dict[str, Any]
    values: dict[str, Any]
    next: tuple[str, ...]
    tasks: tuple[Any, ...]
    parent_config: dict[str, Any] | None
    created_at: str


class RunInterrupted(NamedTuple):
    """The run paused: it waits for ``Command(resume=...)`` on its thread. Ends the run at ``ns``.

    ``interrupts`` are the ``nbstream.types.Interrupt`` records (``value``, ``id``) waiting for an
    answer; ``config`` addresses the checkpoint to resume from; ``thread`` (on the root graph's event
    only) lets a view answer them.
    """

    run_id: str
    ns: Namespace
    step: int
    interrupts: tuple[Any, ...]
    config: dict[str, Any]
    thread: ThreadControl | None = None
    #: the state with the writes of the step's finished tasks applied (what invoke() returns)
    values: dict[str, Any] | None = None


class RunResumed(NamedTuple):
    """The run continues a saved thread (published right after ``RunStarted``).

    ``config`` addresses the checkpoint it continues from; ``resume`` is the value of
    ``Command(resume=...)``, or ``None`` when the run continues or forks without one.
    """

    run_id: str
    ns: Namespace
    step: int
    config: dict[str, Any]
    resume: Any


Event: TypeAlias = (
    RunStarted
    | RunFinished
    | RunFailed
    | StepStarted
    | StepFinished
    | TaskStarted
    | TaskFinished
    | TaskRetrying
    | CustomData
    | LLMCallStarted
    | MessageChunk
    | LLMCallFinished
    | ToolCallStarted
    | ToolCallFinished
    | CheckpointSaved
    | RunInterrupted
    | RunResumed
)
"""Any event; every one has ``run_id``, ``ns`` and ``step`` as its first three fields."""
