"""Tool calls in runs and views: the events a tool run publishes, and how the views show them.

Real graphs whose nodes call langchain-core ``@tool`` s (sync, async, in threads, failing, writing
custom data) give ``ToolCallStarted``/``ToolCallFinished`` and attributed ``CustomData``; the stream
itself stays LangGraph's. Hand-written event scripts check the rows, the escaping, the order of
snapshots, the live bounds and the ticker's readable tool-call chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import operator
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from _messages_support import LG, NB, Lib, summarize
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables.config import ContextThreadPoolExecutor
from langchain_core.tools import ToolException, tool

from nbstream.config import get_config
from nbstream.events import CustomData, TaskFinished, ToolCallFinished, ToolCallStarted
from nbstream.testing import CommCounter, DisplayCapture, EventScript, ManualClock, RecordingObserver
from nbstream.tool_events import ToolCallsHandler
from nbstream.widgets import RunView, StateTable, TokenTicker
from nbstream.widgets.models import RunModel
from nbstream.widgets.text_log import TextProgressLog

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def find(widget: Any, css_class: str) -> Any:
    if css_class in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, css_class)
        if found is not None:
            return found
    return None


# -- graphs whose nodes call tools ---------------------------------------------------------------


class Out(TypedDict):
    out: Annotated[list[Any], operator.add]


def tools_for(lib: Lib) -> tuple[Any, Any, Any]:
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        lib.get_stream_writer()({"adding": [a, b]})
        return a + b

    @tool
    def boom(text: str) -> str:
        """Always fails."""
        raise ValueError(f"cannot {text}")

    @tool
    async def shout(text: str) -> str:
        """Upper-cases, asynchronously."""
        lib.get_stream_writer()({"shouting": text})
        await asyncio.sleep(0)
        return text.upper()

    return add, boom, shout


def sync_tool_graph(lib: Lib) -> Any:
    """One node: a ToolCall, two tools in threads (``batch``), a failing tool, custom data of its own."""
    add, boom, _ = tools_for(lib)

    def agent(state: Out) -> dict[str, Any]:
        first = add.invoke({"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1", "type": "tool_call"})
        pair = add.batch([{"a": 3, "b": 4}, {"a": 5, "b": 6}])
        lib.get_stream_writer()("node progress")
        with contextlib.suppress(ValueError):
            boom.invoke({"text": XSS})
        return {"out": [first.content, *pair]}

    return lib.StateGraph(Out).add_node("agent", agent).add_edge(lib.START, "agent").compile()


def async_tool_graph(lib: Lib) -> Any:
    add, _, shout = tools_for(lib)

    async def agent(state: Out) -> dict[str, Any]:
        total = await add.ainvoke({"a": 10, "b": 20})  # a sync tool, awaited (runs in a thread)
        loud = await shout.ainvoke(
            {"name": "shout", "args": {"text": "hi"}, "id": "call_9", "type": "tool_call"}
        )
        return {"out": [total, loud.content]}

    return lib.StateGraph(Out).add_node("agent", agent).add_edge(lib.START, "agent").compile()


def tool_events(recorder: RecordingObserver) -> list[Any]:
    return recorder.of_type(ToolCallStarted, ToolCallFinished, CustomData, TaskFinished)


def test_a_tool_call_is_started_then_finished_with_its_args_id_and_result() -> None:
    seen = RecordingObserver()
    result = sync_tool_graph(NB).invoke({"out": []}, observers=[seen])
    assert result == {"out": ["3", 7, 11]}
    started = seen.of_type(ToolCallStarted)
    finished = {e.call_id: e for e in seen.of_type(ToolCallFinished)}
    calls = [(e.tool, e.args) for e in started]
    # the middle two run in tool.batch's threads: they may start in either order
    assert calls[0] == ("add", {"a": 1, "b": 2}) and calls[3] == ("boom", {"text": XSS})
    assert sorted(calls[1:3], key=lambda call: call[1]["a"]) == [
        ("add", {"a": 3, "b": 4}),
        ("add", {"a": 5, "b": 6}),
    ]
    (task,) = seen.of_type(TaskFinished)
    for e in started:
        assert (e.ns, e.step, e.task_id, e.node) == ((), 1, task.task_id, "agent")
    first = started[0]
    assert first.tool_call_id == "call_1" and started[1].tool_call_id is None
    # a ToolCall gives a ToolMessage, plain arguments the raw output
    assert isinstance(finished[first.call_id].result, ToolMessage)
    assert finished[first.call_id].result.tool_call_id == "call_1"
    assert sorted(finished[e.call_id].result for e in started[1:3]) == [7, 11]
    failed = finished[started[3].call_id]
    assert failed.result is None and isinstance(failed.error, ValueError)
    assert all(e.duration >= 0 for e in finished.values())
    # every call ends before its task does
    kinds = [type(e).__name__ for e in tool_events(seen)]
    assert kinds[-1] == "TaskFinished" and kinds.count("ToolCallFinished") == 4


def test_custom_data_a_tool_writes_names_its_call_even_from_threads() -> None:
    seen = RecordingObserver()
    sync_tool_graph(NB).invoke({"out": []}, observers=[seen])
    started = {e.call_id: e for e in seen.of_type(ToolCallStarted)}
    custom = seen.of_type(CustomData)
    by_call = {started[e.tool_call].args["a"]: e.data for e in custom if e.tool_call is not None}
    assert by_call == {1: {"adding": [1, 2]}, 3: {"adding": [3, 4]}, 5: {"adding": [5, 6]}}
    (own,) = [e for e in custom if e.tool_call is None]
    assert own.data == "node progress"
    # in order: each call's data after its start, before its end
    order = [
        (type(e).__name__, getattr(e, "call_id", None) or getattr(e, "tool_call", None)) for e in seen.events
    ]
    for call_id in started:
        positions = [i for i, (_, c) in enumerate(order) if c == call_id]
        kinds = [order[i][0] for i in positions]
        assert kinds[0] == "ToolCallStarted" and kinds[-1] == "ToolCallFinished"


def test_custom_data_from_threads_of_an_inline_node_reaches_observers() -> None:
    """A one-task step runs inline under invoke: what threads it starts publish is still delivered."""

    def node(state: Out) -> dict[str, Any]:
        writer = NB.get_stream_writer()
        with ContextThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(writer, range(3)))
        return {"out": [1]}

    seen = RecordingObserver()
    NB.StateGraph(Out).add_node("n", node).add_edge(NB.START, "n").compile().invoke(
        {"out": []}, observers=[seen]
    )
    kinds = seen.kinds()
    assert sorted(e.data for e in seen.of_type(CustomData)) == [0, 1, 2]
    assert kinds.index("TaskFinished") > max(i for i, k in enumerate(kinds) if k == "CustomData")


def test_async_tools_and_sync_tools_awaited_from_an_async_node() -> None:
    seen = RecordingObserver()
    result = asyncio.run(async_tool_graph(NB).ainvoke({"out": []}, observers=[seen]))
    assert result == {"out": [30, "HI"]}
    started = seen.of_type(ToolCallStarted)
    assert [(e.tool, e.tool_call_id) for e in started] == [("add", None), ("shout", "call_9")]
    custom = {e.tool_call: e.data for e in seen.of_type(CustomData)}
    assert custom == {started[0].call_id: {"adding": [10, 20]}, started[1].call_id: {"shouting": "hi"}}
    assert [e.result for e in seen.of_type(ToolCallFinished)][:1] == [30]


def test_a_tool_in_a_subgraph_is_under_the_subgraph_node() -> None:
    add, _, _ = tools_for(NB)

    def inner(state: Out) -> dict[str, Any]:
        return {"out": [add.invoke({"a": 2, "b": 2})]}

    sub = NB.StateGraph(Out).add_node("inner", inner).add_edge(NB.START, "inner").compile()
    graph = NB.StateGraph(Out).add_node("outer", sub).add_edge(NB.START, "outer").compile()
    seen = RecordingObserver()
    graph.invoke({"out": []}, observers=[seen])
    (call,) = seen.of_type(ToolCallStarted)
    assert call.node == "inner" and len(call.ns) == 1 and call.ns[0].startswith("outer:")
    model = RunModel()
    seen.replay(model.fold)
    assert model.tools is not None
    (row,) = model.tools.by_path[("outer", "inner")]
    assert (row.tool, row.status, row.result) == ("add", "done", 4)


def test_a_handled_tool_error_is_an_error_row() -> None:
    @tool
    def picky(x: int) -> str:
        """Refuses."""
        raise ToolException(f"no {x}")

    picky.handle_tool_error = True

    def agent(state: Out) -> dict[str, Any]:
        message = picky.invoke({"name": "picky", "args": {"x": 3}, "id": "c1", "type": "tool_call"})
        return {"out": [message.status]}

    graph = NB.StateGraph(Out).add_node("agent", agent).add_edge(NB.START, "agent").compile()
    model = RunModel()
    assert graph.invoke({"out": []}, observers=[model.fold]) == {"out": ["error"]}
    assert model.tools is not None
    (row,) = model.tools.by_path[("agent",)]
    assert (row.status, row.error) == ("error", "no 3")


# -- what it costs, and the stream it leaves alone -------------------------------------------------


def _handlers_seen_by_node(graph_builder: Any, **kwargs: Any) -> list[Any]:
    seen: list[Any] = []

    def node(state: Out) -> dict[str, Any]:
        callbacks = get_config().get("callbacks")
        seen.extend(getattr(callbacks, "handlers", callbacks or []))
        return {"out": [1]}

    graph = graph_builder(Out).add_node("n", node).add_edge(NB.START, "n").compile()
    list(graph.stream({"out": []}, **kwargs))
    return seen


def test_runs_whose_observers_do_not_show_tool_calls_have_no_tool_handler() -> None:
    def has_tool_handler(handlers: list[Any]) -> bool:
        return any(isinstance(h, ToolCallsHandler) for h in handlers)

    assert not has_tool_handler(_handlers_seen_by_node(NB.StateGraph, stream_mode="custom"))
    assert not has_tool_handler(_handlers_seen_by_node(NB.StateGraph, stream_mode="messages"))
    ticker = TokenTicker(mode="text", log_file=io.StringIO())
    assert not has_tool_handler(_handlers_seen_by_node(NB.StateGraph, observers=[ticker]))
    quiet = TextProgressLog(io.StringIO(), tool_calls=False)
    assert not has_tool_handler(_handlers_seen_by_node(NB.StateGraph, observers=[quiet]))
    assert has_tool_handler(_handlers_seen_by_node(NB.StateGraph, observers=[RecordingObserver()]))


def _stream_of(lib: Lib, observers: list[Any]) -> list[Any]:
    graph = sync_tool_graph(lib)
    kwargs: dict[str, Any] = {"observers": observers} if observers else {}
    return list(graph.stream({"out": []}, stream_mode=["updates", "values", "custom"], **kwargs))


def test_the_stream_is_langgraphs_with_or_without_views_watching_tools() -> None:
    theirs = _stream_of(LG, [])
    log = io.StringIO()
    watched = _stream_of(NB, [RecordingObserver(), RunView(mode="text", log_file=log)])
    assert watched == _stream_of(NB, []) == theirs
    assert "tool boom error ValueError" in log.getvalue()


# -- views from scripted events --------------------------------------------------------------------


def scripted_tools(order: tuple[int, ...] = (0, 1)) -> EventScript:
    """One node calls two tools in parallel (starting in ``order``), one writes custom data, one fails."""
    s = EventScript(graph="agent")
    s.start(["model", "tools"])
    s.state(0, {"messages": []})
    s.node(1, "model", {"messages": ["ai: call tools"]})
    (t,) = s.step(2, "tools")
    calls = [("search", {"q": XSS}, "call_a"), ("weather", {"city": "Paris"}, "call_b")]
    ids = {}
    for i in order:
        name, args, call_id = calls[i]
        ids[i] = s.tool_start(t, name, args, tool_call_id=call_id)
    s.custom(t, {"progress": XSS}, tool_call=ids[0])
    s.custom(t, "not from a tool")
    for i in order:
        if i == 0:
            s.tool_end(ids[0], ToolMessage(content=f"found {XSS}", tool_call_id="call_a"))
        else:
            s.tool_end(ids[1], error=RuntimeError("weather service down"))
    s.task_end(t, {"messages": ["tool results"]})
    s.state(2, {"messages": ["tool results"]})
    s.finish()
    return s


def test_each_tool_call_is_a_row_under_its_node() -> None:
    model = RunModel()
    scripted_tools().replay(model.fold)
    assert model.tools is not None
    assert model.tools.by_path.get(("model",)) is None
    search, weather = model.tools.ordered(("tools",))
    assert (search.tool, search.args, search.status, search.result) == (
        "search",
        {"q": XSS},
        "done",
        f"found {XSS}",
    )
    assert search.custom == [{"progress": XSS}] and search.step == 2 and search.duration == 0.01
    assert (weather.tool, weather.status, weather.error) == (
        "weather",
        "error",
        "RuntimeError: weather service down",
    )
    assert weather.custom == []


def test_tool_rows_are_escaped_in_the_widget_and_the_snapshot(shown: DisplayCapture) -> None:
    with CommCounter():
        view = RunView(mode="widgets", keep_live=True)
        scripted_tools().replay(view)
    html = shown.snapshots[-1]["text/html"]
    live = find(view.widget, "nbstream-table").value
    for text in (html, live):
        assert "<script>" not in text
        assert XSS_ESCAPED.replace("&#x27;", "'") in text.replace("&#x27;", "'")
        assert 'class="nbstream-tool-row" data-node="tools" data-tool="search" data-status="done"' in text
        assert 'data-tool="weather" data-status="error"' in text
        assert "RuntimeError: weather service down" in text
    # the rows come right after their node's row, the custom data under its call
    assert html.index('data-node="tools" data-status="done"') < html.index('data-tool="search"')
    assert (
        html.index('data-tool="search"')
        < html.index('class="nbstream-tool-custom"')
        < html.index('data-tool="weather"')
    )
    text = shown.snapshots[-1]["text/plain"]
    assert "-> search({'q': '<script>alert(1)</script>'}) done, step 2: 'found <script>" in text
    assert "custom: {'progress': '<script>" in text
    assert "-> weather({'city': 'Paris'}) error, step 2: RuntimeError: weather service down" in text


def test_snapshot_order_of_parallel_tool_calls_does_not_depend_on_arrival(shown: DisplayCapture) -> None:
    snapshots = []
    for order in ((0, 1), (1, 0)):
        view = RunView(mode="widgets")
        with CommCounter():
            scripted_tools(order).replay(view)
        snapshots.append((shown.snapshots[-1]["text/html"], shown.snapshots[-1]["text/plain"]))
    assert snapshots[0] == snapshots[1]


def test_a_running_tool_is_shown_at_once_and_ends_cancelled_with_its_run(shown: DisplayCapture) -> None:
    clock = ManualClock()  # time stands still: only forced flushes happen
    with CommCounter():
        view = StateTable(mode="widgets", clock=clock, keep_live=True)
        s = EventScript()
        s.start(["tools"])
        (t,) = s.step(1, "tools")
        s.tool_start(t, "slow", {"seconds": 60})
        s.replay(view)
        table = find(view.widget, "nbstream-table").value
        assert 'data-tool="slow" data-status="running"' in table
        stop = KeyboardInterrupt()
        s.task_end(t, error=stop, cancelled=True)
        s.fail(stop, cancelled=True)
        for event in s.events[-2:]:
            view.on_event(event)
    assert view.model.tools is not None
    (row,) = view.model.tools.by_path[("tools",)]
    assert row.status == "cancelled"
    assert 'data-tool="slow" data-status="cancelled"' in shown.snapshots[-1]["text/html"]


def test_the_live_table_shows_a_nodes_last_tool_calls_the_snapshot_all(shown: DisplayCapture) -> None:
    clock = ManualClock()
    with CommCounter() as comms:
        view = RunView(mode="widgets", clock=clock, keep_live=True, tool_rows=5, burst=10, flush_rate=15.0)
        s = EventScript()
        s.start(["tools"])
        (t,) = s.step(1, "tools")
        for i in range(300):
            s.tool_call(t, "lookup", {"i": i}, f"r{i}", custom=[i])
        s.task_end(t, {"n": 300})
        s.finish()
        for event in s:
            view.on_event(event)
            clock.advance(0.001)  # 300 calls in ~1.2 s
        table = find(view.widget, "nbstream-table")
        # forced flushes at tool starts and ends are bounded by the bucket
        assert comms.updates(table) <= clock.now * 15.0 + 10 + 5
    live = table.value
    assert live.count('class="nbstream-tool-row"') == 5 and "… 295 earlier tool calls" in live
    assert "r299" in live and "r294" not in live
    assert shown.snapshots[-1]["text/html"].count('class="nbstream-tool-row"') == 300


def test_the_text_log_has_a_line_per_tool_call() -> None:
    log = io.StringIO()
    scripted_tools().replay(TextProgressLog(log, show_timings=False))
    lines = log.getvalue().splitlines()
    assert "[nbstream] agent: step 2 tools tool search done" in lines
    assert "[nbstream] agent: step 2 tools tool weather error RuntimeError: weather service down" in lines
    quiet = io.StringIO()
    scripted_tools().replay(TextProgressLog(quiet, show_timings=False, tool_calls=False))
    assert " tool " not in quiet.getvalue()


# -- the ticker: a model's tool calls as they stream ------------------------------------------------


def test_the_ticker_shows_streamed_tool_call_chunks_as_name_then_arguments(shown: DisplayCapture) -> None:
    s = EventScript()
    s.start(["model"])
    (t,) = s.step(1, "model")
    call = s.llm_start(t)
    s.token(call, "Let me check. ")
    s.tool_token(call, name="search", id="call_1", index=0)
    for piece in ['{"q": ', '"<b>cats', '</b>"}']:
        s.tool_token(call, args=piece, index=0)
    s.tool_token(call, name="weather", id="call_2", index=1)
    s.tool_token(call, args='{"city": "Paris"}', index=1)
    model = RunModel()
    for event in s:
        model.fold(event)
    assert model.ticker is not None
    (lane,) = model.ticker.lanes.values()
    assert lane.text == "Let me check. " and lane.tokens == 7
    assert [(c.name, c.args) for c in lane.tool_calls] == [
        ("search", '{"q": "<b>cats</b>"}'),
        ("weather", '{"city": "Paris"}'),
    ]
    s.llm_end(call)
    (t2,) = [t]
    s.task_end(t2, {"messages": []})
    s.finish()
    with CommCounter():
        view = RunView(mode="widgets", keep_live=True)
        s.replay(view)
    live = find(view.widget, "nbstream-ticker")
    lane_html = live.children[0].value
    html = shown.snapshots[-1]["text/html"]
    for text in (lane_html, html):
        assert 'data-tool="search"' in text and "&lt;b&gt;cats&lt;/b&gt;" in text and "<b>cats" not in text
        assert "tool_call_chunk" not in text and "&#x27;index&#x27;" not in text
    assert 'tool call search {"q": "<b>cats</b>"}' in shown.snapshots[-1]["text/plain"]


class ToolCallingModel(BaseChatModel):
    """Answers every call with the same tool calls, streamed as tool-call chunks (args in pieces)."""

    calls: list[tuple[str, dict[str, Any]]]

    @property
    def _llm_type(self) -> str:
        return "tool-calling-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        tool_calls = [
            {"name": n, "args": a, "id": f"call_{i}", "type": "tool_call"}
            for i, (n, a) in enumerate(self.calls)
        ]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="", tool_calls=tool_calls))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: Any = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for i, (name, args) in enumerate(self.calls):
            text = json.dumps(args)
            pieces = [text[: len(text) // 2], text[len(text) // 2 :]]
            head = {"name": name, "args": "", "id": f"call_{i}", "index": i, "type": "tool_call_chunk"}
            chunks = [head] + [
                {"name": None, "args": p, "id": None, "index": i, "type": "tool_call_chunk"} for p in pieces
            ]
            for chunk in chunks:
                message = AIMessageChunk(content="", tool_call_chunks=[chunk])  # type: ignore[list-item]
                generation = ChatGenerationChunk(message=message)
                if run_manager is not None:
                    run_manager.on_llm_new_token("", chunk=generation)
                yield generation


def model_graph(lib: Lib, model: Any) -> Any:
    def agent(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    return lib.StateGraph(lib.MessagesState).add_node("agent", agent).add_edge(lib.START, "agent").compile()


def test_a_real_model_streaming_tool_calls_shows_them_readably(shown: DisplayCapture) -> None:
    calls = [("search", {"q": XSS}), ("weather", {"city": "Paris"})]
    inputs = {"messages": [("user", "hi")]}
    with CommCounter():
        view = RunView(mode="widgets")
        ours = list(
            model_graph(NB, ToolCallingModel(calls=calls)).stream(
                inputs, stream_mode="messages", observers=[view]
            )
        )
    theirs = list(model_graph(LG, ToolCallingModel(calls=calls)).stream(inputs, stream_mode="messages"))
    assert summarize(ours) == summarize(theirs)
    assert [m.tool_call_chunks for m, _ in ours] == [m.tool_call_chunks for m, _ in theirs]
    assert view.model.ticker is not None
    (lane,) = view.model.ticker.lanes.values()
    assert [(c.name, json.loads(c.args)) for c in lane.tool_calls] == calls
    text = shown.snapshots[-1]["text/plain"]
    assert 'tool call search {"q": "<script>alert(1)</script>"}' in text
    assert 'tool call weather {"city": "Paris"}' in text
    assert "<script>" not in shown.snapshots[-1]["text/html"]


def test_a_model_that_did_not_stream_shows_its_tool_calls_too() -> None:
    model = ToolCallingModel(calls=[("weather", {"city": "Oslo"})], disable_streaming=True)
    seen = RunModel()
    model_graph(NB, model).invoke({"messages": [("user", "hi")]}, observers=[seen.fold])
    assert seen.ticker is not None
    (lane,) = seen.ticker.lanes.values()
    assert [(c.name, json.loads(c.args)) for c in lane.tool_calls] == [("weather", {"city": "Oslo"})]


# -- the whole picture: a real graph with tools, watched by a RunView ------------------------------


def test_run_view_of_a_graph_whose_node_calls_tools(shown: DisplayCapture) -> None:
    with CommCounter():
        view = RunView(mode="widgets")
        sync_tool_graph(NB).invoke({"out": []}, observers=[view])
    text = shown.snapshots[-1]["text/plain"]
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(("->", "custom:"))]
    assert lines == [
        "-> add({'a': 1, 'b': 2}) done, step 1: '3'",
        "custom: {'adding': [1, 2]}",
        "-> add({'a': 3, 'b': 4}) done, step 1: 7",
        "custom: {'adding': [3, 4]}",
        "-> add({'a': 5, 'b': 6}) done, step 1: 11",
        "custom: {'adding': [5, 6]}",
        "-> boom({'text': '<script>alert(1)</script>'}) error, step 1: ValueError: cannot <script>alert(1)</script>",
    ]
    html = shown.snapshots[-1]["text/html"]
    assert "<script>" not in html and html.count('class="nbstream-tool-row"') == 4


def test_a_subgraph_fanning_out_inside_a_one_task_step_delivers_every_tool_call() -> None:
    """The subgraph shares the run's bus: its parallel step must get its finished tasks back."""
    add, _, _ = tools_for(NB)

    def left(state: Out) -> dict[str, Any]:
        return {"out": [add.invoke({"a": 1, "b": 1})]}

    def right(state: Out) -> dict[str, Any]:
        return {"out": [add.invoke({"a": 2, "b": 2})]}

    sub = (
        NB.StateGraph(Out)
        .add_node("left", left)
        .add_node("right", right)
        .add_edge(NB.START, "left")
        .add_edge(NB.START, "right")
        .compile()
    )
    graph = NB.StateGraph(Out).add_node("outer", sub).add_edge(NB.START, "outer").compile()
    assert graph.invoke({"out": []}) == {"out": [2, 4]}
    seen = RecordingObserver()
    assert graph.invoke({"out": []}, observers=[seen]) == {"out": [2, 4]}
    finished = seen.of_type(ToolCallFinished)
    assert sorted((e.node, e.result) for e in finished) == [("left", 2), ("right", 4)]
    custom = {e.tool_call for e in seen.of_type(CustomData)}
    assert custom == {e.call_id for e in finished}
