"""What a top-level call shares with its nested runs (:class:`Root`), and one task (:class:`Task`)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbstream.bus import Bus
from nbstream.graph._state import MISSING
from nbstream.runtime._context import TaskContext
from nbstream.types import Send

if TYPE_CHECKING:
    from nbstream.errors import NodeError
    from nbstream.llm import MessagesHandler
    from nbstream.runtime._node import NodeRuntime

__all__ = [
    "DEFAULT_RECURSION_LIMIT",
    "PROPAGATED_IDS",
    "PULL",
    "PUSH",
    "Root",
    "Stopped",
    "Task",
    "nested_config",
    "noop_writer",
    "task_order",
    "task_segment",
]

DEFAULT_RECURSION_LIMIT = 10007
PULL = "__pregel_pull"
PUSH = "__pregel_push"
#: the ``configurable`` keys LangGraph 1.2 copies into a graph's metadata (when set and not there
#: yet). A frozenset built like LangGraph's, so that several are copied in the very order LangGraph
#: copies them in this process (a set's order follows the string hashes of the process)
PROPAGATED_IDS = frozenset(
    ("thread_id", "checkpoint_id", "checkpoint_ns", "task_id", "run_id", "assistant_id", "graph_id")
)
_bits = random.getrandbits



def _task_id() -> str:
    h = f"{_bits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _id_source() -> Callable[[], str]:
    """UUID-shaped task ids for one run: a random 80-bit prefix and a 48-bit counter (cheap, unique)."""
    h = f"{_bits(80):020x}"
    prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
    count = itertools.count(_bits(24))
    return lambda: f"{prefix}{next(count):012x}"


#: an explicit ``configurable`` with one of these starts its own lineage: the ambient one is dropped
_OWN_LINEAGE_KEYS = ("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map")


def nested_config(ambient: dict[str, Any], explicit: dict[str, Any] | None) -> dict[str, Any]:
    """The config of a graph invoked inside a node: the node's config merged with the call's own.

    As LangGraph merges them: ``metadata`` key by key (the call's values win), ``tags`` appended
    (those the node already has are not repeated), ``configurable`` key by key unless the call
    names a thread or checkpoint of its own; any other key given by the call replaces the node's.
    """
    if not explicit:
        return dict(ambient)
    merged = {**ambient, **explicit}
    if ambient.get("metadata") and explicit.get("metadata"):
        merged["metadata"] = {**ambient["metadata"], **explicit["metadata"]}
    if ambient.get("tags") and explicit.get("tags"):
        have = ambient["tags"]
        merged["tags"] = [*have, *(t for t in explicit["tags"] if t not in have)]
    own = explicit.get("configurable")
    if ambient.get("configurable") and own and not any(own.get(k) for k in _OWN_LINEAGE_KEYS):
        merged["configurable"] = {**ambient["configurable"], **own}
    return merged


def noop_writer(_data: Any) -> None:
    """The writer when nobody listens to custom data: calls succeed and are discarded."""


class Stopped(Exception):
    """Raised inside a nested run when the consumer stopped the top-level run."""


class Root:
    """What a top-level call shares with every nested run: bus, run id, flags, LLM callbacks."""

    __slots__ = (
        "bus",
        "callbacks",
        "context",
        "live_custom",
        "messages",
        "new_id",
        "recursion_limit",
        "resume",
        "resume_map",
        "resuming",
        "run_id",
        "stopped",
        "store",
        "tools",
        "user_config",
    )

    def __init__(
        self,
        bus: Bus,
        *,
        live_custom: bool,
        callbacks: Any,
        user_config: dict[str, Any] | None,
        context: Any = None,
        store: Any = None,
    ) -> None:
        self.bus = bus
        #: the run's static context (``invoke(..., context=...)``), shared by every node and subgraph
        self.context = context
        #: the outermost graph's store (``get_store()``, ``runtime.store``), shared by its subgraphs
        self.store = store
        self.run_id = _task_id()
        #: makes this run's task ids
        self.new_id = _id_source()
        self.stopped = False
        #: whether custom data has a listener (the custom mode or an observer); else writers are no-ops
        self.live_custom = live_custom
        #: langchain-core callbacks put into every task's config (the messages handler), or None
        self.callbacks = callbacks
        #: the nbstream.llm.MessagesHandler in ``callbacks`` (scans task inputs and outputs), or None
        self.messages: MessagesHandler | None = None
        #: the nbstream.tool_events.ToolCallsHandler in ``callbacks`` (observers watch tool calls), or None
        self.tools: Any = None
        self.user_config = user_config or {}
        limit = self.user_config.get("recursion_limit", DEFAULT_RECURSION_LIMIT)
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"recursion_limit must be an int >= 1; got {limit!r}")
        self.recursion_limit = limit
        #: Command(resume=value) of a run resuming a thread: the answer to the first interrupt()
        #: that has none of its own (consumed once), or MISSING
        self.resume: Any = MISSING
        #: Command(resume={interrupt_id: value}): answers by interrupt id, or None
        self.resume_map: dict[str, Any] | None = None
        #: whether this call continues a thread (subgraphs then continue their own checkpoints)
        self.resuming = False


class Task:
    """One node execution in one step, and its outcome once it ran.

    An error handler's task also has ``failure``: the ``NodeError`` it handles and the failed task's
    namespace segment (``node:id``, under which LangGraph nests the handler's). Other tasks leave
    that slot unset, so they pay nothing for it.
    """

    __slots__ = (
        "cached",
        "cancelled",
        "ctx",
        "duration",
        "error",
        "failure",
        "id",
        "input",
        "interrupts",
        "next_nodes",
        "node",
        "order",
        "path",
        "routing",
        "scratch",
        "sends",
        "started",
        "triggers",
        "update",
        "writes",
    )

    #: an error handler's task only (see the class docstring); unset on other tasks
    failure: tuple[NodeError, str]

    def __init__(
        self,
        task_id: str,
        node: NodeRuntime,
        input: Any,
        triggers: tuple[str, ...],
        path: tuple[Any, ...],
        order: Any,
    ) -> None:
        self.id = task_id
        self.node = node
        self.input = input
        self.triggers = triggers
        self.path = path
        self.order = order
        self.update: Any = None
        self.writes: list[tuple[str, Any]] = []
        self.next_nodes: list[str] = []
        self.sends: list[Send] = []
        self.error: BaseException | None = None
        self.cancelled = False
        self.cached = False
        #: set when one of the node's routers raised: the error came after the node's own writes
        self.routing = False
        #: the Interrupt records of a task that paused on interrupt()
        self.interrupts: tuple[Any, ...] = ()
        #: what interrupt() keeps for this task (made on its first call; see runtime._persist)
        self.scratch: Any = None
        self.started = 0.0
        self.duration = 0.0
        self.ctx: TaskContext | None = None


def task_order(task: Task) -> Any:
    return task.order


def task_segment(task: Task) -> str:
    """A task's segment of checkpoint namespaces (``node:id``); an error handler's is nested in
    the segment of the task that failed, as LangGraph nests it."""
    segment = f"{task.node.name}:{task.id}"
    if task.node.is_error_handler:
        segment = f"{task.failure[1]}|{segment}"
    return segment
