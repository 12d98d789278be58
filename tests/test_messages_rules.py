"""The ``messages`` mode's rules: which messages are emitted, observers, nostream, keys, errors."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, TypedDict

import pytest
from _messages_support import LG, LIBS, NB, BrokenModel, Lib, Recorder, fake, summarize, text_of
from langchain_core.callbacks import BaseCallbackHandler, CallbackManager
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, RemoveMessage

from nbstream.config import get_config
from nbstream.events import LLMCallFinished, LLMCallStarted, MessageChunk, TaskFinished, TaskStarted
from nbstream.llm import TAG_NOSTREAM, MessagesHandler

INPUT = {"messages": [HumanMessage("hi", id="human-1")]}


def one_node(lib: Lib, node: Any, state: Any = None) -> Any:
    builder = lib.StateGraph(state or lib.MessagesState).add_node("node", node)
    return builder.add_edge(lib.START, "node").compile()


def answering(lib: Lib, text: str = "the answer", **model_kwargs: Any) -> Any:
    model = fake(text, **model_kwargs)

    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    return one_node(lib, node)


def run_async(graph: Any, *args: Any, **kwargs: Any) -> list[Any]:
    async def collect() -> list[Any]:
        return [item async for item in graph.astream(*args, **kwargs)]

    return asyncio.run(collect())


# -- which node outputs are emitted -------------------------------------------------------------
class TwoKeys(TypedDict, total=False):
    messages: Annotated[list[Any], NB.add_messages]
    scratch: Annotated[list[Any], NB.add_messages]


class TwoKeysLG(TypedDict, total=False):
    messages: Annotated[list[Any], LG.add_messages]
    scratch: Annotated[list[Any], LG.add_messages]


def outputs_graph(lib: Lib) -> Any:
    """Nodes returning messages in every form LangGraph scans (and a few it does not)."""
    Command = lib.Command

    def commands(state: Any) -> Any:
        return Command(
            update={
                "messages": [AIMessage("in a command", id="cmd-1"), ("ai", "tuple shorthand")],
                "scratch": [AIMessage("under another key", id="scratch-1")],
            }
        )

    def command_list(state: Any) -> Any:
        return [Command(update={"messages": [AIMessage("first of a list", id="list-1")]}), Command(update={})]

    def edits(state: Any) -> Any:
        return {
            "messages": [
                RemoveMessage(id="cmd-1"),
                AIMessage("an edit of the human message", id="human-1"),
                AIMessage("no id"),
                HumanMessage("a human one", id="human-2"),
            ]
        }

    builder = lib.StateGraph(TwoKeys if lib is NB else TwoKeysLG)
    builder.add_node("commands", commands).add_node("command_list", command_list).add_node("edits", edits)
    builder.add_edge(lib.START, "commands").add_edge("commands", "command_list").add_edge(
        "command_list", "edits"
    )
    return builder.compile()


def test_node_outputs_are_emitted_once_like_langgraph() -> None:
    ours = list(outputs_graph(NB).stream(INPUT, stream_mode="messages"))
    theirs = list(outputs_graph(LG).stream(INPUT, stream_mode="messages"))
    assert summarize(ours) == summarize(theirs)
    assert [(m.content, m.id if m.id != ours[3][0].id else "fresh") for m, _ in ours] == [
        ("in a command", "cmd-1"),
        ("under another key", "scratch-1"),  # any state key, by default
        ("first of a list", "list-1"),
        ("no id", "fresh"),  # given a uuid4 in place
        ("a human one", "human-2"),
    ]
    # not emitted: the tuple shorthand, the RemoveMessage, the edit of an input message (its id is seen)
    meta = ours[0][1]
    assert meta["ls_integration"] == "langgraph" and meta["langgraph_node"] == "commands"
    assert "checkpoint_ns" not in meta and "ls_provider" not in meta and "tags" not in meta


def test_an_id_less_message_gets_its_id_in_place_and_keeps_it_in_state() -> None:
    returned = AIMessage("made by hand")

    def node(state: Any) -> dict[str, Any]:
        return {"messages": [returned]}

    graph = one_node(NB, node)
    chunks = list(graph.stream(INPUT, stream_mode=["messages", "values"]))
    emitted = [c[0] for mode, c in chunks if mode == "messages"]
    assert emitted == [returned] and emitted[0] is returned and returned.id
    final = [c for mode, c in chunks if mode == "values"][-1]
    assert final["messages"][-1].id == returned.id


def test_a_streamed_answer_is_not_emitted_again_when_the_node_returns_it() -> None:
    chunks = list(answering(NB).stream(INPUT, stream_mode="messages"))
    assert all(isinstance(m, AIMessageChunk) for m, _ in chunks)
    assert text_of(chunks) == "the answer"


def test_input_and_history_messages_are_never_emitted() -> None:
    history = {
        "messages": [
            HumanMessage("q", id="h1"),
            AIMessage("old answer", id="a1"),
            HumanMessage("q2", id="h2"),
        ]
    }

    def node(state: Any) -> dict[str, Any]:
        return {"messages": state["messages"] + [AIMessage("new", id="a2")]}

    for lib in (NB, LG):
        chunks = list(one_node(lib, node).stream(history, stream_mode="messages"))
        assert [m.id for m, _ in chunks] == ["a2"], lib.name


def test_message_keys_limits_node_output_messages_to_named_keys() -> None:
    graph = outputs_graph(NB)
    everything = [m.content for m, _ in graph.stream(INPUT, stream_mode="messages")]
    assert "under another key" in everything
    only = [m.content for m, _ in graph.stream(INPUT, stream_mode="messages", message_keys=["messages"])]
    assert only == [c for c in everything if c != "under another key"]
    assert [
        m.content for m, _ in graph.stream(INPUT, stream_mode="messages", message_keys="messages")
    ] == only
    scratch = [m.content for m, _ in graph.stream(INPUT, stream_mode="messages", message_keys=["scratch"])]
    assert scratch == ["under another key"]
    # the same filter for observers of invoke/ainvoke, and for lists of chunks from invoke
    seen = Recorder()
    graph.invoke(INPUT, observers=[seen], message_keys=["scratch"])
    assert [e.message.content for e in seen.of(MessageChunk)] == ["under another key"]
    seen = Recorder()
    asyncio.run(graph.ainvoke(INPUT, observers=[seen], message_keys=()))
    assert seen.of(MessageChunk) == []
    listed = graph.invoke(INPUT, stream_mode="messages", message_keys=["scratch"])
    assert [m.content for m, _ in listed] == ["under another key"]
    with pytest.raises(TypeError, match="message_keys"):
        list(graph.stream(INPUT, stream_mode="messages", message_keys=[1]))


def test_message_keys_do_not_filter_tokens() -> None:
    chunks = list(answering(NB).stream(INPUT, stream_mode="messages", message_keys=["other"]))
    assert text_of(chunks) == "the answer"


# -- nostream --------------------------------------------------------------------------------------
def nostream_graph(lib: Lib) -> Any:
    hidden = fake("secret words", tags=[TAG_NOSTREAM])
    hidden_too = fake("more secrets").with_config(tags=["nostream"])
    shown = fake("visible words")

    def node(state: Any) -> dict[str, Any]:
        first = hidden.invoke(state["messages"])
        second = hidden_too.invoke(state["messages"])
        third = shown.invoke(state["messages"])
        return {"messages": [first, second, third]}

    return one_node(lib, node)


def test_nostream_hides_tokens_and_the_returned_message() -> None:
    ours = list(nostream_graph(NB).stream(INPUT, stream_mode="messages"))
    assert text_of(ours) == "visible words"
    assert all(isinstance(m, AIMessageChunk) for m, _ in ours)
    # LangGraph hides the tokens but leaks the returned messages (langgraph issue #7509)
    theirs = list(nostream_graph(LG).stream(INPUT, stream_mode="messages"))
    leaked = [m.content for m, _ in theirs if type(m) is AIMessage]
    assert leaked == ["secret words", "more secrets"]
    assert [s for s in summarize(theirs) if s[1] != "AIMessage"] == summarize(ours)
    # observers see nothing of those calls either
    seen = Recorder()
    nostream_graph(NB).invoke(INPUT, observers=[seen])
    assert len(seen.of(LLMCallStarted)) == 1
    assert "secret" not in text_of([(e.message, None) for e in seen.of(MessageChunk)])
    # and the state has all three answers
    assert [m.content for m in nostream_graph(NB).invoke(INPUT)["messages"][1:]] == [
        "secret words",
        "more secrets",
        "visible words",
    ]


def test_a_nostream_tag_in_the_run_config_reaches_every_model_call() -> None:
    model = fake("hidden too")

    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"]), AIMessage("returned", id="r1")]}

    for lib in (NB, LG):
        chunks = list(one_node(lib, node).stream(INPUT, {"tags": ["nostream"]}, stream_mode="messages"))
        assert not [m for m, _ in chunks if isinstance(m, AIMessageChunk)], lib.name
        # nbstream: only the hand-made message; LangGraph also leaks the model's (issue #7509)
        expected = ["returned"] if lib is NB else ["hidden too", "returned"]
        assert [m.content for m, _ in chunks] == expected, lib.name


# -- observers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_observers_get_message_events_while_the_user_streams_updates(use_async: bool) -> None:
    seen = Recorder()
    graph = answering(NB)
    if use_async:
        items = run_async(graph, INPUT, stream_mode="updates", observers=[seen])
    else:
        items = list(graph.stream(INPUT, stream_mode="updates", observers=[seen]))
    assert [list(i) for i in items] == [["node"]]  # the user's stream has no messages
    kinds = [
        k
        for k in seen.kinds()
        if k in ("TaskStarted", "LLMCallStarted", "MessageChunk", "LLMCallFinished", "TaskFinished")
    ]
    tokens = seen.of(MessageChunk)
    assert kinds == [
        "TaskStarted",
        "LLMCallStarted",
        *["MessageChunk"] * len(tokens),
        "LLMCallFinished",
        "TaskFinished",
    ]
    assert text_of([(e.message, None) for e in tokens]) == "the answer"
    started, finished = seen.of(LLMCallStarted)[0], seen.of(LLMCallFinished)[0]
    task = seen.of(TaskStarted)[0]
    assert started.call_id == finished.call_id == tokens[0].call_id
    assert started.node == tokens[0].node == "node" and started.step == task.step == 1
    assert started.ns == () and finished.error is None
    assert {e.kind for e in tokens} == {"token"} and tokens[0].metadata is started.metadata
    assert all(e.run_id == task.run_id for e in tokens)


def test_observers_of_invoke_get_tokens_and_whole_messages() -> None:
    seen = Recorder()
    graph = answering(NB, disable_streaming=True)
    assert graph.invoke(INPUT, observers=[seen])["messages"][-1].content == "the answer"
    (whole,) = seen.of(MessageChunk)
    assert whole.kind == "message" and whole.call_id == seen.of(LLMCallStarted)[0].call_id
    seen = Recorder()
    asyncio.run(answering(NB).ainvoke(INPUT, observers=[seen]))
    assert text_of([(e.message, None) for e in seen.of(MessageChunk)]) == "the answer"


def test_observers_see_subgraph_tokens_even_without_subgraphs() -> None:
    from test_messages import two_level_graph

    seen = Recorder()
    items = list(two_level_graph(NB).stream(INPUT, stream_mode="messages", observers=[seen]))
    assert [len(e.ns) for e in seen.of(LLMCallStarted)] == [0, 1]
    inner = [e for e in seen.of(MessageChunk) if e.ns]
    assert text_of([(e.message, None) for e in inner]) == "sub answer"
    assert {e.kind for e in inner} == {"token"} and inner[0].node == "inner"
    # the root view gets the subgraph's answer once, whole, as the sub node's output (as in
    # LangGraph); observers get that event too
    assert [m.content for m, _ in items if type(m) is AIMessage] == ["sub answer"]
    (repeat,) = [e for e in seen.of(MessageChunk) if not e.ns and e.kind == "message"]
    assert repeat.node == "sub" and repeat.call_id is None


def test_nothing_listening_means_no_callbacks_in_the_task_config() -> None:
    configs: list[dict[str, Any]] = []

    def node(state: Any) -> dict[str, Any]:
        configs.append(get_config())
        return {}

    graph = one_node(NB, node)
    graph.invoke(INPUT)
    list(graph.stream(INPUT, stream_mode="updates"))
    list(graph.stream(INPUT, stream_mode=["values", "custom"]))
    assert all("callbacks" not in c for c in configs)
    graph.invoke(INPUT, observers=[Recorder()])
    list(graph.stream(INPUT, stream_mode="messages"))
    assert all(any(isinstance(h, MessagesHandler) for h in c["callbacks"].handlers) for c in configs[3:])


def test_the_users_own_callbacks_are_kept() -> None:
    class Counter(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens = 0

        def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
            self.tokens += 1

    for wrap in (list, lambda hs: CallbackManager(handlers=hs, inheritable_handlers=hs)):
        counter = Counter()
        chunks = list(answering(NB).stream(INPUT, {"callbacks": wrap([counter])}, stream_mode="messages"))
        assert text_of(chunks) == "the answer"
        assert counter.tokens == len(chunks)


def test_model_config_of_its_own_does_not_lose_the_task() -> None:
    def build(lib: Lib) -> Any:
        model = fake("still attributed").with_config(metadata={"purpose": "demo"}, run_name="named")

        def node(state: Any) -> dict[str, Any]:
            return {"messages": [model.invoke(state["messages"], {"tags": ["call-tag"]})]}

        return one_node(lib, node)

    ours = list(build(NB).stream(INPUT, stream_mode="messages"))
    assert text_of(ours) == "still attributed"
    assert ours[0][1]["purpose"] == "demo" and ours[0][1]["langgraph_node"] == "node"
    assert summarize(ours) == summarize(list(build(LG).stream(INPUT, stream_mode="messages")))


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_model_failing_mid_stream(use_async: bool) -> None:
    model = BrokenModel(messages=iter([AIMessage("one two three four five")]), good=3)

    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    async def anode(state: Any) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    graph = one_node(NB, anode if use_async else node)
    seen = Recorder()
    got: list[Any] = []
    with pytest.raises(RuntimeError, match="model broke") as info:
        if use_async:

            async def consume() -> None:
                async for item in graph.astream(INPUT, stream_mode="messages", observers=[seen]):
                    got.append(item)

            asyncio.run(consume())
        else:
            for item in graph.stream(INPUT, stream_mode="messages", observers=[seen]):
                got.append(item)
    assert text_of(got) == "one two"  # the tokens made before the failure were delivered
    (finished,) = seen.of(LLMCallFinished)
    assert finished.error is info.value
    (task,) = seen.of(TaskFinished)
    assert task.error is info.value
    assert seen.events.index(finished) < seen.events.index(task)


@LIBS
def test_tokens_before_a_failure_match_langgraph(lib: Lib) -> None:
    model = BrokenModel(messages=iter([AIMessage("one two three four five")]), good=3)

    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    got: list[Any] = []
    with pytest.raises(RuntimeError, match="model broke"):
        for item in one_node(lib, node).stream(INPUT, stream_mode="messages"):
            got.append(item)
    assert [m.content for m, _ in got] == ["one", " ", "two"]
