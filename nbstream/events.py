"""The typed events a run publishes: the one vocabulary of nbstream.

The runner knows nothing of stream modes or widgets; it publishes these events onto the bus
(:mod:`nbstream.bus`), and every consumer (the stream-mode projector, widgets, recorders) is a
function of them.

Every event carries:

* ``run_id``: the id of the top-level ``stream``/``invoke`` call (shared by its subgraphs);
* ``ns``: the namespace tuple of the graph that emitted it, ``()`` at the root and
  ``("node:<task_id>", ...)`` inside subgraphs, exactly as LangGraph's ``subgraphs=True`` namespaces;
* ``step``: the super-step number (``0`` is the input step, the first user node runs at ``1``).

Events are frozen, slotted dataclasses. Values they carry (state snapshots, node writes, custom
data, message chunks) are shared by reference, never copied: treat them as read-only.

A run publishes, in order::

    RunStarted
      (StepStarted, TaskStarted*, [CustomData | LLMCallStarted | MessageChunk | LLMCallFinished]*,
       TaskFinished*, StepFinished)*          -- step 0 is the input step: no tasks, one StepFinished
    RunFinished | RunFailed

Subgraph runs publish the same sequence with their own ``ns`` in between, on the same bus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Event",
    "RunStarted",
    "RunFinished",
    "RunFailed",
    "StepStarted",
    "StepFinished",
    "TaskStarted",
    "TaskFinished",
    "CustomData",
    "LLMCallStarted",
    "MessageChunk",
    "LLMCallFinished",
    "Namespace",
]

Namespace = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """Fields every event has: which run, which (sub)graph, which super-step."""

    run_id: str
    ns: Namespace
    step: int


@dataclass(frozen=True, slots=True)
class RunStarted(Event):
    """A graph (the root, or a subgraph) began running with ``input``."""

    graph_name: str
    input: Any
    node_names: tuple[str, ...]
    #: the graph's static edges as ``(source, target, conditional)``, for drawing it
    edges: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True, slots=True)
class RunFinished(Event):
    """A graph ran to completion; ``output`` is what ``invoke`` returns for it."""

    output: Any


@dataclass(frozen=True, slots=True)
class RunFailed(Event):
    """A graph stopped early: a node raised, the input was bad, or the consumer stopped it.

    ``cancelled`` is true when the run was stopped from outside (generator closed, task
    cancelled, KeyboardInterrupt), false when it failed on its own.
    """

    error: BaseException
    cancelled: bool


@dataclass(frozen=True, slots=True)
class StepStarted(Event):
    """A super-step is about to run these tasks (ids in start order)."""

    task_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepFinished(Event):
    """All tasks of a step finished and their writes were applied.

    ``values`` is the full state after the step (a fresh dict sharing its values with the
    previous snapshot); ``updated`` names the channels written in this step.
    """

    values: dict[str, Any]
    updated: frozenset[str]


@dataclass(frozen=True, slots=True)
class TaskStarted(Event):
    """A task (one node execution) started.

    ``triggers`` are LangGraph's trigger channel names (``branch:to:x``, ``__pregel_push``...),
    ``path`` the task path used to order writes, ``metadata`` the node's user metadata.
    """

    task_id: str
    node: str
    input: Any
    triggers: tuple[str, ...]
    path: tuple[Any, ...]
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TaskFinished(Event):
    """A task ended, with its writes or with the error it raised.

    ``update`` is what the node returned, as LangGraph's ``updates`` mode shows it (``None`` if it
    wrote nothing); ``writes`` are the ``(channel, value)`` pairs it wrote to state channels.
    ``error`` is set when the node raised (``writes`` is then empty); ``cancelled`` when the task
    was stopped from outside.
    """

    task_id: str
    node: str
    update: Any
    writes: tuple[tuple[str, Any], ...]
    duration: float
    error: BaseException | None = None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class CustomData(Event):
    """A node (or anything it called) passed ``data`` to its stream writer."""

    task_id: str
    node: str
    data: Any


@dataclass(frozen=True, slots=True)
class LLMCallStarted(Event):
    """A chat model call began inside a task; ``call_id`` is langchain-core's run id."""

    call_id: str
    node: str
    tags: tuple[str, ...]
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MessageChunk(Event):
    """A message for ``messages`` mode: one streamed token, or one whole message.

    ``kind`` is ``"token"`` for a streamed chunk, ``"message"`` for a whole message (a non-streaming
    model's result, or a message a node returned). ``call_id`` is ``None`` for node-output messages.
    ``metadata`` is the LangGraph-compatible metadata dict (``langgraph_node``, ``tags``, ...),
    shared by reference across all chunks of one call.
    """

    call_id: str | None
    node: str
    message: Any
    metadata: dict[str, Any]
    kind: Literal["token", "message"]


@dataclass(frozen=True, slots=True)
class LLMCallFinished(Event):
    """A chat model call ended; ``error`` is set when it failed (tokens already sent stand)."""

    call_id: str
    node: str
    error: BaseException | None
