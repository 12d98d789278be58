"""Test helpers for your graphs and views, the ones nbstream's own tests use.

* :class:`RecordingObserver` records a run's events (and replays them into any observer).
* :class:`EventScript` writes a well-formed event sequence by hand, to test a view without a
  graph (parallel nodes, subgraphs, LLM calls, errors, cancellation, checkpoints, interrupts).
* :class:`FakeThread` stands for a paused run's thread: it records what a view asks of it and
  plays scripted continuations into the view, so the view's buttons can be tested without a graph.
* :class:`CommCounter` replaces the Jupyter comm factory (the ``DummyComm`` trick of
  ipywidgets' own tests) so every widget made inside it records the messages it would send: assert
  message budgets and final widget state without a front end.
* :class:`DisplayCapture` records what views display (the live widget, the final snapshot).
* :class:`ManualClock` is a clock you advance by hand, for throttle tests (``clock=`` option).
* :func:`fake_chat_model` is a deterministic langchain-core chat model that streams its replies.
* :func:`scripted_chat_model` is one for tool-calling agents: its replies may call tools, it
  supports ``bind_tools``/``with_structured_output`` and streams tool calls piece by piece.

::

    from nbstream.testing import CommCounter, DisplayCapture
    with CommCounter() as comms, DisplayCapture() as shown:
        view = RunView(mode="widgets")
        graph.invoke(inputs, observers=[view])
    assert comms.max_updates() <= 40
    assert "&lt;script&gt;" in shown.snapshots[-1]["text/html"]
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from nbstream._cassette import cassette
from nbstream._fake_thread import FakeThread
from nbstream._scripted_model import ScriptedChatModel
from nbstream.events import (
    CheckpointSaved,
    CustomData,
    Event,
    LLMCallFinished,
    LLMCallStarted,
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
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.types import Interrupt

__all__ = [
    "RecordingObserver",
    "EventScript",
    "FakeThread",
    "token_run",
    "CommCounter",
    "RecordingComm",
    "DisplayCapture",
    "ManualClock",
    "fake_chat_model",
    "scripted_chat_model",
    "ScriptedChatModel",
    "cassette",
]

START, END = "__start__", "__end__"


class RecordingObserver:
    """An observer that keeps every event it is given, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, *kinds: type[Event]) -> list[Event]:
        """The recorded events of these types."""
        return [e for e in self.events if isinstance(e, kinds)]

    def kinds(self) -> list[str]:
        """The event type names, in order (handy in assertions)."""
        return [type(e).__name__ for e in self.events]

    def replay(self, *observers: Any) -> None:
        """Feed the recorded events to ``observers`` (callables or objects with ``on_event``)."""
        handlers = [getattr(o, "on_event", o) for o in observers]
        for event in self.events:
            for handler in handlers:
                handler(event)

    def clear(self) -> None:
        self.events.clear()


class EventScript:
    """Builds a run's events by hand, in the order the runner would publish them.

    Task, call and tool-call ids are deterministic (``t1``, ``c1``, ``tool1``...). ``step`` opens
    a step and starts its tasks; end them with ``task_end``; close the step with ``state``. A
    subgraph run publishes under ``script.sub_ns(task_id)``. ``tool_call`` scripts a tool call
    (and the custom data it writes), ``tool_token`` a model's streamed tool-call chunk.

    ::

        s = EventScript(graph="demo")
        s.start(["a", "b"])
        s.node(1, "a", {"x": 1})
        (t,) = s.step(2, "b")
        s.task_end(t, error=ValueError("boom"))
        s.fail(ValueError("boom"))

    A run on a thread: ``checkpoint`` after a step, ``ask`` for a task that calls
    ``interrupt()``, ``interrupted`` to end the run paused; ``continuation`` starts the script of
    the run that resumes it (same thread, checkpoints and state), which opens with ``start`` and
    ``resumed``::

        (t,) = s.step(2, "review")
        asked = s.ask(t, "Publish?")
        s.interrupted(asked, thread=thread)
        after = s.continuation("run-2")
        after.start(["draft", "review"])
        after.resumed(True)
    """

    def __init__(self, *, run_id: str = "run-1", graph: str = "graph", thread_id: str = "thread-1") -> None:
        self.run_id = run_id
        self.graph = graph
        self.thread_id = thread_id
        self._checkpoint_ids = itertools.count(1)
        self._checkpoints: dict[Namespace, dict[str, Any]] = {}
        self.events: list[Event] = []
        self._task_ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._tasks: dict[str, tuple[Namespace, str, int]] = {}
        self._calls: dict[str, tuple[Namespace, str, int, dict[str, Any]]] = {}
        self._tool_ids = itertools.count(1)
        self._tool_calls: dict[str, str] = {}  # tool call id -> its task id
        self._values: dict[Namespace, dict[str, Any]] = {}
        self._last_step: dict[Namespace, int] = {}

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def _emit(self, event: Event) -> None:
        self.events.append(event)

    def sub_ns(self, task_id: str) -> Namespace:
        """The namespace of a subgraph run started by ``task_id``."""
        ns, node, _ = self._tasks[task_id]
        return (*ns, f"{node}:{task_id}")

    def start(
        self,
        nodes: Sequence[str],
        edges: Iterable[tuple[str, str, bool]] | None = None,
        *,
        graph: str | None = None,
        ns: Namespace = (),
        input: Any = None,
    ) -> None:
        """``RunStarted`` (edges default to a chain ``__start__ → nodes... → __end__``)."""
        if edges is None:
            chain = [START, *nodes, END]
            edges = [(a, b, False) for a, b in itertools.pairwise(chain)]
        name = graph if graph is not None else (self.graph if not ns else ns[-1].rpartition(":")[0])
        self._emit(RunStarted(self.run_id, ns, -1, name, input, tuple(nodes), tuple(edges)))

    def state(
        self,
        step: int,
        values: Mapping[str, Any],
        updated: Iterable[str] | None = None,
        *,
        ns: Namespace = (),
    ) -> None:
        """``StepFinished``: merges ``values`` into the state; ``updated`` defaults to its keys."""
        state = {**self._values.get(ns, {}), **values}
        self._values[ns] = state
        keys = frozenset(values if updated is None else updated)
        self._emit(StepFinished(self.run_id, ns, step, state, keys))

    def step(self, step: int, *nodes: str, ns: Namespace = ()) -> list[str]:
        """``StepStarted`` plus a ``TaskStarted`` per node; returns the task ids."""
        ids = [f"t{next(self._task_ids)}" for _ in nodes]
        self._last_step[ns] = step
        self._emit(StepStarted(self.run_id, ns, step, tuple(ids)))
        for task_id, node in zip(ids, nodes, strict=True):
            self._tasks[task_id] = (ns, node, step)
            self._emit(TaskStarted(self.run_id, ns, step, task_id, node, None, (), (), {}))
        return ids

    def task_end(
        self,
        task_id: str,
        update: Any = None,
        *,
        error: BaseException | None = None,
        cancelled: bool = False,
        duration: float = 0.01,
        interrupts: Sequence[Any] = (),
    ) -> None:
        """``TaskFinished`` for ``task_id``: its update, the error it raised, or its interrupts."""
        ns, node, step = self._tasks[task_id]
        writes = tuple(update.items()) if isinstance(update, Mapping) and error is None else ()
        event = TaskFinished(
            self.run_id,
            ns,
            step,
            task_id,
            node,
            update,
            writes,
            duration,
            error,
            cancelled,
            interrupts=tuple(interrupts),
        )
        self._emit(event)

    def ask(self, task_id: str, *values: Any) -> tuple[Interrupt, ...]:
        """``task_id`` paused on ``interrupt(value)`` for each value: ends it; returns the records.

        Their ids are 32 hex digits, as LangGraph's, so ``{id: answer}`` maps resume them.
        """
        asked = tuple(
            Interrupt(
                value,
                hashlib.md5(f"{self.thread_id}:{task_id}:{i}".encode(), usedforsecurity=False).hexdigest(),
            )
            for i, value in enumerate(values)
        )
        self.task_end(task_id, None, interrupts=asked)
        return asked

    def checkpoint(
        self,
        step: int,
        next_nodes: Sequence[str] = (),
        *,
        source: str = "loop",
        tasks: Sequence[Any] = (),
        ns: Namespace = (),
    ) -> dict[str, Any]:
        """``CheckpointSaved`` of the current state (``next_nodes``: the nodes to run after it).

        Checkpoint ids count up (``cp-1``...), times a second apart; each names the previous one
        as its parent. Returns its config, as ``invoke(None, config)`` takes it.
        """
        number = next(self._checkpoint_ids)
        config = {
            "configurable": {
                "thread_id": self.thread_id,
                "checkpoint_ns": "|".join(ns),
                "checkpoint_id": f"cp-{number}",
            }
        }
        parent = self._checkpoints.get(ns)
        self._checkpoints[ns] = config
        metadata = {"source": source, "step": step, "parents": {}}
        created = f"2025-01-01T00:{number // 60:02d}:{number % 60:02d}.000000+00:00"
        values = dict(self._values.get(ns, {}))
        self._emit(
            CheckpointSaved(
                self.run_id,
                ns,
                step,
                config,
                metadata,
                values,
                tuple(next_nodes),
                tuple(tasks),
                parent,
                created,
            )
        )
        return config

    def interrupted(
        self, interrupts: Sequence[Any] = (), *, thread: ThreadControl | None = None, ns: Namespace = ()
    ) -> None:
        """``RunInterrupted``: the run at ``ns`` paused on ``interrupts`` (none: a breakpoint)."""
        config = self._checkpoints.get(ns) or {"configurable": {"thread_id": self.thread_id}}
        step = self._last_step.get(ns, 0)
        self._emit(
            RunInterrupted(self.run_id, ns, step, tuple(interrupts), config, thread if not ns else None)
        )

    def resumed(self, resume: Any = None, *, ns: Namespace = ()) -> None:
        """``RunResumed``: this run continues the thread, resumed with ``resume``."""
        config = self._checkpoints.get(ns) or {"configurable": {"thread_id": self.thread_id}}
        self._emit(RunResumed(self.run_id, ns, self._last_step.get(ns, 0), config, resume))

    def continuation(self, run_id: str) -> EventScript:
        """The script of the next run on the same thread: it shares ids, state and checkpoints."""
        after = EventScript(run_id=run_id, graph=self.graph, thread_id=self.thread_id)
        after._task_ids = self._task_ids
        after._call_ids = self._call_ids
        after._checkpoint_ids = self._checkpoint_ids
        after._tasks = self._tasks
        after._values = {ns: dict(values) for ns, values in self._values.items()}
        after._checkpoints = dict(self._checkpoints)
        after._last_step = dict(self._last_step)
        return after

    def node(self, step: int, node: str, update: Mapping[str, Any], *, ns: Namespace = ()) -> str:
        """A one-task step that succeeds: step, task end, state. Returns the task id."""
        (task_id,) = self.step(step, node, ns=ns)
        self.task_end(task_id, update)
        self.state(step, update, ns=ns)
        return task_id

    def llm_start(self, task_id: str, *, tags: Sequence[str] = (), call_id: str | None = None) -> str:
        """``LLMCallStarted`` inside ``task_id``; returns the call id."""
        ns, node, step = self._tasks[task_id]
        call = call_id if call_id is not None else f"c{next(self._call_ids)}"
        meta: dict[str, Any] = {"langgraph_node": node, "langgraph_step": step}
        if tags:
            meta["tags"] = list(tags)
        self._calls[call] = (ns, node, step, meta)
        self._emit(LLMCallStarted(self.run_id, ns, step, call, node, tuple(tags), meta))
        return call

    def token(self, call_id: str, text: str, message: Any = None) -> None:
        """One ``MessageChunk(kind="token")``; ``message`` defaults to the bare text."""
        ns, node, step, meta = self._calls[call_id]
        chunk = text if message is None else message
        self._emit(MessageChunk(self.run_id, ns, step, call_id, node, chunk, meta, "token"))

    def llm_end(self, call_id: str, *, error: BaseException | None = None) -> None:
        """``LLMCallFinished`` (failed when ``error`` is given)."""
        ns, node, step, _ = self._calls[call_id]
        self._emit(LLMCallFinished(self.run_id, ns, step, call_id, node, error))

    def llm_call(self, task_id: str, tokens: Iterable[str], *, tags: Sequence[str] = ()) -> str:
        """A whole streamed call: start, one chunk per token, end. Returns the call id."""
        call = self.llm_start(task_id, tags=tags)
        for text in tokens:
            self.token(call, text)
        self.llm_end(call)
        return call

    def tool_token(
        self,
        call_id: str,
        *,
        name: str | None = None,
        args: str = "",
        index: int = 0,
        id: str | None = None,
    ) -> None:
        """A streamed chunk of a model's tool call (``AIMessageChunk.tool_call_chunks``, no text).

        The first chunk of a call names the tool (and usually its id); later ones carry more of its
        JSON arguments under the same ``index``.
        """
        from langchain_core.messages import AIMessageChunk

        chunk = {"name": name, "args": args, "id": id, "index": index, "type": "tool_call_chunk"}
        self.token(call_id, "", AIMessageChunk(content="", tool_call_chunks=[chunk]))  # type: ignore[list-item]

    def custom(self, task_id: str, data: Any, *, tool_call: str | None = None) -> None:
        """``CustomData`` written by ``task_id`` (from inside the tool call ``tool_call``, if given)."""
        ns, node, step = self._tasks[task_id]
        self._emit(CustomData(self.run_id, ns, step, task_id, node, data, tool_call))

    def tool_start(
        self, task_id: str, tool: str, args: Any = None, *, tool_call_id: str | None = None
    ) -> str:
        """``ToolCallStarted`` inside ``task_id``; returns the tool call's ``call_id``."""
        ns, node, step = self._tasks[task_id]
        call = f"tool{next(self._tool_ids)}"
        self._tool_calls[call] = task_id
        self._emit(
            ToolCallStarted(
                self.run_id, ns, step, task_id, node, call, tool, {} if args is None else args, tool_call_id
            )
        )
        return call

    def tool_end(
        self, call_id: str, result: Any = None, *, error: BaseException | None = None, duration: float = 0.01
    ) -> None:
        """``ToolCallFinished``: the tool returned ``result``, or raised ``error``."""
        task_id = self._tool_calls[call_id]
        ns, node, step = self._tasks[task_id]
        self._emit(ToolCallFinished(self.run_id, ns, step, task_id, node, call_id, result, error, duration))

    def tool_call(
        self,
        task_id: str,
        tool: str,
        args: Any = None,
        result: Any = None,
        *,
        error: BaseException | None = None,
        custom: Iterable[Any] = (),
        tool_call_id: str | None = None,
    ) -> str:
        """A whole tool call: start, the ``custom`` data it writes, end. Returns its ``call_id``."""
        call = self.tool_start(task_id, tool, args, tool_call_id=tool_call_id)
        for data in custom:
            self.custom(task_id, data, tool_call=call)
        self.tool_end(call, result, error=error)
        return call

    def finish(self, output: Any = None, *, ns: Namespace = ()) -> None:
        """``RunFinished`` for the graph at ``ns``."""
        self._emit(RunFinished(self.run_id, ns, self._last_step.get(ns, 0), output))

    def fail(self, error: BaseException, *, cancelled: bool = False, ns: Namespace = ()) -> None:
        """``RunFailed`` for the graph at ``ns`` (``cancelled``: stopped from outside)."""
        self._emit(RunFailed(self.run_id, ns, self._last_step.get(ns, 0), error, cancelled))

    def replay(self, *observers: Any) -> None:
        """Feed the events to ``observers`` (callables or objects with ``on_event``)."""
        handlers = [getattr(o, "on_event", o) for o in observers]
        for event in self.events:
            for handler in handlers:
                handler(event)


def token_run(
    tokens: int,
    *,
    calls: int = 1,
    node: str = "agent",
    text: Callable[[int], str] = lambda i: f"t{i} ",
    run_id: str = "run-1",
) -> EventScript:
    """A one-node run whose node makes ``calls`` parallel LLM calls streaming ``tokens`` in all.

    The calls' tokens are interleaved, as parallel calls deliver them. For budget tests and
    benchmarks of token-heavy views.
    """
    script = EventScript(run_id=run_id, graph="tokens")
    script.start([node])
    script.state(0, {"messages": []})
    (task,) = script.step(1, node)
    ids = [script.llm_start(task, tags=[f"call-{i}"]) for i in range(calls)]
    for i in range(tokens):
        script.token(ids[i % calls], text(i))
    for call in ids:
        script.llm_end(call)
    script.task_end(task, {"messages": [f"{calls} answers"]})
    script.state(1, {"messages": [f"{calls} answers"]})
    script.finish({"messages": [f"{calls} answers"]})
    return script


def fake_chat_model(*replies: str, tags: Sequence[str] = ()) -> Any:
    """A chat model that answers ``replies`` in turn (then starts over), streaming each by words.

    langchain-core's ``GenericFakeChatModel``: called inside a node with ``.invoke()``, it streams
    its tokens into the run (``LLMCallStarted``, ``MessageChunk``..., ``LLMCallFinished``).
    """
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    if not replies:
        raise ValueError("fake_chat_model needs at least one reply")
    return GenericFakeChatModel(messages=itertools.cycle(replies), tags=list(tags) or None)


def scripted_chat_model(*replies: Any, cycle: bool = False, id_prefix: str = "msg") -> ScriptedChatModel:
    """A chat model for agents that answers ``replies`` in turn: text, tool calls, structured answers.

    A reply is a string, an ``AIMessage``, a list of tool calls (``{"name": "add", "args": {"a": 1}}``;
    ids default to ``call_1``, ``call_2``...) or a pydantic model instance (the structured answer
    ``with_structured_output(ThatModel)`` parses). Message ids are ``msg-1``, ``msg-2``...
    ``bind_tools`` records the schemas the model was given (``model.bound_tools``). Streaming
    shows text word by word and each tool call as its name, then its JSON arguments in pieces.
    Past the last reply it raises ``IndexError`` unless ``cycle=True``.

    ::

        model = scripted_chat_model([{"name": "add", "args": {"a": 1, "b": 2}}], "1 + 2 = 3")
        agent = create_react_agent(model, [add])
    """
    if not replies:
        raise ValueError("scripted_chat_model needs at least one reply")
    return ScriptedChatModel(replies=list(replies), cycle=cycle, id_prefix=id_prefix)


class RecordingComm:
    """A stand-in for a kernel comm that records what a widget sends (see :class:`CommCounter`)."""

    kernel = "recording"  # ipywidgets only sends through comms whose ``kernel`` is not None

    def __init__(self, counter: CommCounter, **kwargs: Any) -> None:
        self.comm_id: str = kwargs.get("comm_id") or f"comm-{next(counter._ids)}"
        self.target_name: str = kwargs.get("target_name", "")
        #: the widget state sent when the comm opened
        self.open_data: dict[str, Any] = kwargs.get("data") or {}
        #: every message sent after opening (``{"method": "update", "state": {...}}``...)
        self.messages: list[dict[str, Any]] = []
        self.closed = False
        self._counter = counter

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        pass

    def on_close(self, callback: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.messages.append(data)
        self._counter.sent += 1

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.closed = True

    def updates(self) -> int:
        """How many state updates this comm sent."""
        return sum(1 for m in self.messages if isinstance(m, dict) and m.get("method") == "update")

    def state(self) -> dict[str, Any]:
        """The widget state the front end would hold: the opening state plus every update."""
        state = dict(self.open_data.get("state", {}))
        for message in self.messages:
            if isinstance(message, dict) and message.get("method") == "update":
                state.update(message.get("state", {}))
        return state


class CommCounter:
    """A context manager under which every new widget talks to a :class:`RecordingComm`.

    ``sent`` counts the messages widgets sent (updates and custom messages; opening a comm is
    not counted, as Jupyter Server's rate limiter does not count ``comm_open``).
    """

    def __init__(self) -> None:
        self.comms: list[RecordingComm] = []
        self.sent = 0
        self._ids = itertools.count(1)
        self._saved: Any = None

    def __enter__(self) -> CommCounter:
        import comm  # the widgets' comm layer: only widget tests need it, not the fake models

        self._saved = comm.create_comm
        comm.create_comm = self._create  # type: ignore[assignment]
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        import comm

        comm.create_comm = self._saved

    def _create(self, *args: Any, **kwargs: Any) -> RecordingComm:
        made = RecordingComm(self, **kwargs)
        self.comms.append(made)
        return made

    def comm_of(self, widget: Any) -> RecordingComm:
        """The recording comm of ``widget`` (which must have been made inside this counter)."""
        for made in self.comms:
            if made.comm_id == widget.model_id:
                return made
        raise LookupError(f"{type(widget).__name__} was not created inside this CommCounter")

    def updates(self, widget: Any) -> int:
        """How many state updates ``widget`` sent."""
        return self.comm_of(widget).updates()

    def max_updates(self) -> int:
        """The most updates any one widget sent."""
        return max((c.updates() for c in self.comms), default=0)

    def state(self, widget: Any) -> dict[str, Any]:
        """The state of ``widget`` as a front end would hold it from the messages alone."""
        return self.comm_of(widget).state()


class DisplayCapture:
    """A context manager that records ``IPython.display.display`` calls instead of showing them.

    ``bundles`` holds one MIME bundle per output, as the notebook would save it: objects are asked
    for theirs as IPython would, and a display updated by its id holds its latest bundle.
    ``snapshots`` are the bundles of nbstream's end-of-run snapshots.
    """

    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.bundles: list[dict[str, Any]] = []
        #: bundles that replaced an earlier display (``update_display``), in order
        self.updates: list[dict[str, Any]] = []
        self._by_id: dict[Any, int] = {}
        self._saved: Any = None

    def __enter__(self) -> DisplayCapture:
        import IPython.display

        self._saved = IPython.display.display
        IPython.display.display = self._display
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        import IPython.display

        IPython.display.display = self._saved

    def _display(
        self, *objs: Any, raw: bool = False, display_id: Any = None, update: bool = False, **kwargs: Any
    ) -> None:
        for obj in objs:
            if raw and isinstance(obj, dict):
                bundle: dict[str, Any] = obj
            else:
                show = getattr(obj, "_ipython_display_", None)
                if show is not None:
                    show()  # as IPython does: the object displays itself
                    continue
                make = getattr(obj, "_repr_mimebundle_", None)
                made = make() if make is not None else None
                bundle = made if made is not None else {"text/plain": repr(obj)}
            if update:
                self.updates.append(bundle)
                if display_id in self._by_id:
                    self.bundles[self._by_id[display_id]] = bundle
                continue
            if display_id is not None:
                self._by_id[display_id] = len(self.bundles)
            self.objects.append(obj)
            self.bundles.append(bundle)

    @property
    def snapshots(self) -> list[dict[str, Any]]:
        """The snapshot bundles (``text/html`` + ``text/plain``) displayed at run ends."""
        return [b for b in self.bundles if "nbstream-snapshot" in b.get("text/html", "")]


class ManualClock:
    """A clock that moves only when told to: pass it as ``clock=`` to a view."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now
