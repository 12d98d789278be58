"""``nbstream.prebuilt`` against LangGraph's ``langgraph.prebuilt``: the same agents, the same streams.

Every agent here is built twice from one function, once on ``langgraph.*`` and once on
``nbstream.*``, and driven by the same scripted chat model (``nbstream.testing``), whose message and
tool-call ids are deterministic. Only what is random in both is normalised: uuids (message ids
``add_messages`` assigns, task ids) and debug timestamps. ``version="v2"`` agents run parallel tool
calls as parallel tasks, which finish in any order in both libraries: those chunks are compared
as a set.
"""

import asyncio
import importlib
import re
import warnings
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.messages.tool import ToolOutputMixin
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import InjectedToolCallId, tool
from pydantic import BaseModel
from typing_extensions import TypedDict

from nbstream.errors import NotSupportedError
from nbstream.testing import scripted_chat_model

pytestmark = pytest.mark.filterwarnings("ignore:create_react_agent has been moved")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
MODES = ["updates", "values", "messages", "custom", "debug"]


def lib(name: str) -> SimpleNamespace:
    """The modules of one library a program imports."""
    return SimpleNamespace(
        **{m: importlib.import_module(f"{name}.{m}") for m in ("prebuilt", "types", "config", "graph")},
        tool_node=importlib.import_module(f"{name}.prebuilt.tool_node"),
        agent_state=importlib.import_module(f"{name}.prebuilt.chat_agent_executor").AgentState,
        name=name,
    )


LIBS = {"langgraph": lib("langgraph"), "nbstream": lib("nbstream")}


def norm(value: Any) -> str:
    return _TS.sub("<ts>", _UUID.sub("<uuid>", repr(value)))


def error_of(exc: BaseException) -> str:
    return f"error {type(exc).__name__}: {_UUID.sub('<uuid>', str(exc))}"


class Weird(ToolOutputMixin):
    """A value a tool hands back as is (as it does a Command) that is neither a message nor a Command."""

    def __repr__(self) -> str:
        return "Weird()"


def make_tools(g: SimpleNamespace) -> list[Any]:
    """The tools of the test agents, written against library ``g``."""

    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @tool
    def shout(text: str) -> str:
        """Shout a text, telling the custom stream first."""
        g.config.get_stream_writer()({"shouting": text})
        return text.upper()

    @tool
    def boom(x: int) -> str:
        """A tool that fails."""
        raise ValueError(f"boom {x}")

    @tool
    def rename(name: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Any:
        """Rename the user: a state update through a Command."""
        return g.types.Command(
            update={"user": name, "messages": [ToolMessage(f"renamed to {name}", tool_call_id=tool_call_id)]}
        )

    @tool
    def weird() -> Any:
        """Returns something ToolNode cannot use."""
        return Weird()

    @tool
    def as_dict(key: str) -> dict[str, Any]:
        """Returns a dict (the ToolMessage holds it as JSON)."""
        return {"key": key, "values": [1, 2]}

    return [add, shout, boom, rename, weird, as_dict]


def call(tool_name: str, /, **args: Any) -> dict[str, Any]:
    return {"name": tool_name, "args": args}


SCRIPTS: dict[str, list[Any]] = {
    "one_call": [[call("add", a=1, b=2)], "It is 3."],
    "two_calls": [[call("add", a=1, b=2)], [call("shout", text="hey")], "3 and HEY."],
    "parallel_calls": [[call("add", a=1, b=2), call("shout", text="hey"), call("add", a=5, b=5)], "done"],
    "failing_tool": [[call("boom", x=1)], "never"],
    "command_tool": [[call("rename", name="Ada"), call("add", a=1, b=1)], "Hello Ada."],
    "custom_data": [[call("shout", text="hi there")], "HI THERE."],
    "invalid_args": [[call("add", a="one")], "sorry"],
    "unknown_tool": [[call("nope", q=1)], "sorry"],
    "weird_return": [[call("weird")], "never"],
    "dict_return": [[call("as_dict", key="k")], "ok"],
}


def agent_for(g: SimpleNamespace, script: list[Any], **options: Any) -> tuple[Any, Any]:
    """A ReAct agent on library ``g`` with a ``user`` key in its state (for the Command tool)."""

    class State(g.agent_state):  # type: ignore[name-defined,misc]
        user: str
        structured_response: Any

    model = scripted_chat_model(*script)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = g.prebuilt.create_react_agent(model, make_tools(g), state_schema=State, **options)
    return agent, model


def stream_of(
    g: SimpleNamespace, script: list[Any], mode: Any, *, aio: bool = False, **options: Any
) -> list[str]:
    agent, _ = agent_for(g, script, **options)
    inputs = {"messages": [HumanMessage("hi", id="h1")], "user": "nobody"}
    chunks: list[str] = []

    async def collect() -> None:
        async for chunk in agent.astream(inputs, stream_mode=mode):
            chunks.append(norm(chunk))

    try:
        if aio:
            asyncio.run(collect())
        else:
            chunks.extend(norm(c) for c in agent.stream(inputs, stream_mode=mode))
    except Exception as exc:
        chunks.append(error_of(exc))
    return chunks


def comparable(chunks: list[str], parallel: bool) -> Any:
    return sorted(chunks) if parallel else chunks


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", list(SCRIPTS))
def test_react_agent_streams_as_langgraphs(scenario: str, mode: str, version: str) -> None:
    script = SCRIPTS[scenario]
    expected = stream_of(LIBS["langgraph"], script, mode, version=version)
    got = stream_of(LIBS["nbstream"], script, mode, version=version)
    parallel = version == "v2" and len(script[0]) > 1
    assert comparable(got, parallel) == comparable(expected, parallel)
    assert expected or mode == "custom"


def test_the_scenarios_cover_what_they_say() -> None:
    stream = stream_of(LIBS["nbstream"], SCRIPTS["failing_tool"], "updates")
    assert stream[-1].startswith("error ValueError: boom 1")  # the default re-raises a tool's own error
    stream = stream_of(LIBS["nbstream"], SCRIPTS["invalid_args"], "updates")
    assert "Error invoking tool 'add' with kwargs {'a': 'one'}" in stream[1]
    assert "status='error'" in stream[1]
    stream = stream_of(LIBS["nbstream"], SCRIPTS["unknown_tool"], "updates")
    assert (
        "Error: nope is not a valid tool, try one of [add, shout, boom, rename, weird, as_dict]." in stream[1]
    )
    stream = stream_of(LIBS["nbstream"], SCRIPTS["weird_return"], "updates")
    assert stream[-1].startswith("error TypeError: Tool weird returned unexpected type")
    values = stream_of(LIBS["nbstream"], SCRIPTS["command_tool"], "values")
    assert "'user': 'Ada'" in values[-1]
    custom = stream_of(LIBS["nbstream"], SCRIPTS["custom_data"], "custom")
    assert custom == ["{'shouting': 'hi there'}"]


def test_messages_mode_streams_tool_call_chunks() -> None:
    agent, _ = agent_for(LIBS["nbstream"], SCRIPTS["one_call"])
    chunks = [m for m, _ in agent.stream({"messages": [("user", "hi")]}, stream_mode="messages")]
    pieces = [c for c in chunks if isinstance(c, AIMessageChunk) and c.tool_call_chunks]
    assert pieces[0].tool_call_chunks[0]["name"] == "add"
    assert "".join(c.tool_call_chunks[0]["args"] or "" for c in pieces) == '{"a": 1, "b": 2}'
    assert any(isinstance(c, ToolMessage) and c.content == "3" for c in chunks)


@pytest.mark.parametrize("scenario", ["two_calls", "parallel_calls", "command_tool", "custom_data"])
def test_async_agent_streams_as_langgraphs(scenario: str) -> None:
    script = SCRIPTS[scenario]
    mode = ["updates", "custom", "messages"]
    expected = stream_of(LIBS["langgraph"], script, mode, aio=True)
    got = stream_of(LIBS["nbstream"], script, mode, aio=True)
    parallel = len(script[0]) > 1
    assert comparable(got, parallel) == comparable(expected, parallel)


class Weather(BaseModel):
    conditions: str
    degrees: int


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("response_format", ["schema", "with_prompt"])
def test_response_format_streams_as_langgraphs(mode: str, response_format: str) -> None:
    script = [[call("add", a=20, b=1)], "Sunny, 21 degrees.", Weather(conditions="sunny", degrees=21)]
    fmt: Any = Weather if response_format == "schema" else ("Answer in the schema.", Weather)
    expected = stream_of(LIBS["langgraph"], script, mode, response_format=fmt)
    got = stream_of(LIBS["nbstream"], script, mode, response_format=fmt)
    assert got == expected
    if mode == "values":
        assert "'structured_response': Weather(conditions='sunny', degrees=21)" in got[-1]


def hooks_stream(g: SimpleNamespace, version: str) -> list[str]:
    def pre(state: dict[str, Any]) -> dict[str, Any]:
        return {"llm_input_messages": state["messages"][-2:]}

    def post(state: dict[str, Any]) -> dict[str, Any]:
        return {"messages": []}

    return stream_of(
        g,
        SCRIPTS["two_calls"],
        "updates",
        version=version,
        prompt="Be brief.",
        pre_model_hook=pre,
        post_model_hook=post,
        name="helper",
    )


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_hooks_prompt_and_name_as_langgraphs(version: str) -> None:
    assert hooks_stream(LIBS["nbstream"], version) == hooks_stream(LIBS["langgraph"], version)


def test_the_model_sees_the_prompt_and_only_the_models_arguments() -> None:
    runs = {}
    for name, g in LIBS.items():

        @tool
        def lookup(
            query: str, state: Annotated[dict, g.prebuilt.InjectedState], runtime: g.prebuilt.ToolRuntime
        ) -> str:  # type: ignore[name-defined]
            """Look up, with the state and the runtime."""
            return f"{query}: {len(state['messages'])} messages, call {runtime.tool_call_id}"

        model = scripted_chat_model([call("lookup", query="q")], "done")
        agent = g.prebuilt.create_react_agent(model, [lookup], prompt="You are terse.")
        result = agent.invoke({"messages": [("user", "hi")]})
        runs[name] = (model.bound_tools, [norm(m) for m in model.received[0]], result["messages"][2].content)
    assert runs["nbstream"] == runs["langgraph"]
    assert list(runs["nbstream"][0][0][0]["function"]["parameters"]["properties"]) == ["query"]
    assert runs["nbstream"][2] == "q: 2 messages, call call_1"


def test_too_few_steps_answer_as_langgraphs() -> None:
    outputs = {}
    for name, g in LIBS.items():
        agent, _ = agent_for(g, [[call("add", a=1, b=2)], [call("add", a=3, b=3)], "done"])
        try:
            outputs[name] = norm(agent.invoke({"messages": [("user", "hi")]}, {"recursion_limit": 4}))
        except Exception as exc:
            outputs[name] = error_of(exc)
    assert outputs["nbstream"] == outputs["langgraph"]
    assert "Sorry, need more steps" in outputs["nbstream"]


# -- ToolNode on its own and in hand-written graphs ----------------------------------------------------


def tool_node_outputs(g: SimpleNamespace, **options: Any) -> list[str]:
    """What a ToolNode returns for each input shape, called from inside a node (sync and async)."""
    node = g.prebuilt.ToolNode(make_tools(g), **options)
    calls = [
        {"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"},
        {"name": "boom", "args": {"x": 2}, "id": "c2"},
    ]
    ai = AIMessage("", tool_calls=calls)
    inputs = (
        {"messages": [ai]},
        {"chat": [ai]},
        [ai],
        [{"name": "add", "args": {"a": 2, "b": 2}, "id": "c3", "type": "tool_call"}],
    )

    class State(TypedDict):
        outputs: list[str]

    def outcome(run: Any) -> str:
        try:
            return norm(run())
        except Exception as exc:
            return error_of(exc)

    def runner(state: State, config: RunnableConfig) -> dict[str, Any]:
        return {"outputs": [outcome(lambda i=i: node.invoke(i, config)) for i in inputs]}

    async def arunner(state: State, config: RunnableConfig) -> dict[str, Any]:
        outputs = []
        for given in inputs:
            try:
                outputs.append(norm(await node.ainvoke(given, config)))
            except Exception as exc:
                outputs.append(error_of(exc))
        return {"outputs": outputs}

    sync = g.graph.StateGraph(State).add_node("run", runner).add_edge(g.graph.START, "run").compile()
    aio = g.graph.StateGraph(State).add_node("run", arunner).add_edge(g.graph.START, "run").compile()
    return [*sync.invoke({"outputs": []})["outputs"], *asyncio.run(aio.ainvoke({"outputs": []}))["outputs"]]


def handle_value_errors(e: ValueError) -> str:
    return f"handled: {e}"


@pytest.mark.parametrize(
    "policy",
    [
        {},
        {"handle_tool_errors": True},
        {"handle_tool_errors": False},
        {"handle_tool_errors": "a tool failed"},
        {"handle_tool_errors": ValueError},
        {"handle_tool_errors": (KeyError, ValueError)},
        {"handle_tool_errors": KeyError},
        {"handle_tool_errors": handle_value_errors},
        {"messages_key": "chat"},
    ],
    ids=lambda p: str(p),
)
def test_tool_node_answers_and_fails_as_langgraphs(policy: dict[str, Any]) -> None:
    expected = tool_node_outputs(LIBS["langgraph"], **policy)
    assert tool_node_outputs(LIBS["nbstream"], **policy) == expected


def test_tools_condition_as_langgraphs() -> None:
    with_calls = AIMessage("", tool_calls=[{"name": "a", "args": {}, "id": "1"}])
    states: list[Any] = [
        {"messages": [with_calls]},
        [AIMessage("x")],
        {"chat": [with_calls]},
        {"messages": []},
    ]
    outcomes = {}
    for name, g in LIBS.items():
        seen = []
        for state in states:
            try:
                seen.append(g.prebuilt.tools_condition(state))
            except ValueError as exc:
                seen.append(error_of(exc))
        seen.append(g.prebuilt.tools_condition({"chat": [with_calls]}, messages_key="chat"))
        outcomes[name] = seen
    assert outcomes["nbstream"] == outcomes["langgraph"]
    assert outcomes["nbstream"][0] == "tools" and outcomes["nbstream"][1] == "__end__"


def handoff_stream(g: SimpleNamespace) -> list[str]:
    """A tool in an agent subgraph hands off to a node of the parent graph with Command.PARENT."""

    @tool
    def transfer(tool_call_id: Annotated[str, InjectedToolCallId]) -> Any:
        """Transfer to the specialist."""
        answer = ToolMessage("transferred", tool_call_id=tool_call_id)
        return g.types.Command(goto="specialist", graph=g.types.Command.PARENT, update={"messages": [answer]})

    model = scripted_chat_model([call("transfer")], "unused")
    agent = g.prebuilt.create_react_agent(model, [transfer], name="triage")

    def specialist(state: dict[str, Any]) -> dict[str, Any]:
        return {"messages": [AIMessage("specialist here", id="s1")]}

    builder = g.graph.StateGraph(g.graph.MessagesState)
    builder.add_node("triage", agent)
    builder.add_node("specialist", specialist)
    builder.add_edge(g.graph.START, "triage")
    graph = builder.compile()
    return [
        norm(c)
        for c in graph.stream(
            {"messages": [("user", "hi")]}, stream_mode=["updates", "values"], subgraphs=True
        )
    ]


def test_a_tool_hands_off_to_the_parent_graph_as_in_langgraph() -> None:
    expected = handoff_stream(LIBS["langgraph"])
    assert handoff_stream(LIBS["nbstream"]) == expected
    assert "specialist here" in expected[-1]


def test_validation_node_as_langgraphs() -> None:
    class Point(BaseModel):
        x: int

    ai = AIMessage(
        "",
        tool_calls=[
            {"name": "Point", "args": {"x": 1}, "id": "1"},
            {"name": "Point", "args": {"x": "no"}, "id": "2"},
        ],
    )
    out = {}
    for name, g in LIBS.items():
        with pytest.warns(DeprecationWarning, match="ValidationNode is deprecated"):
            node = g.prebuilt.ValidationNode([Point])
        out[name] = norm(node.invoke({"messages": [ai]}))
    assert out["nbstream"] == out["langgraph"]


# -- refusals, warnings, signals -------------------------------------------------------------------


def test_create_react_agent_warns_as_langgraph() -> None:
    texts = {}
    for name, g in LIBS.items():
        with pytest.warns(DeprecationWarning) as record:
            g.prebuilt.create_react_agent(scripted_chat_model("hi"), [])
        (warning,) = record
        texts[name] = (type(warning.message).__name__, str(warning.message))
    assert texts["nbstream"] == texts["langgraph"]


def test_options_nbstream_does_not_implement_are_refused_by_name() -> None:
    nb = LIBS["nbstream"].prebuilt
    with pytest.raises(NotSupportedError, match="wrap_tool_call"):
        nb.ToolNode([], wrap_tool_call=lambda request, execute: execute(request))
    with pytest.raises(NotSupportedError, match="ToolCallTransformer"):
        nb.ToolCallTransformer()


def test_interrupt_inside_a_tool_is_never_turned_into_a_tool_message() -> None:
    g = LIBS["nbstream"]

    @tool
    def ask(question: str) -> str:
        """Ask a human."""
        return str(g.types.interrupt(question))

    class State(TypedDict):
        messages: Annotated[list[Any], g.graph.add_messages]

    builder = g.graph.StateGraph(State)
    builder.add_node("tools", g.prebuilt.ToolNode([ask], handle_tool_errors=True))
    builder.add_edge(g.graph.START, "tools")
    from langgraph.checkpoint.memory import InMemorySaver

    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "tool-asks"}}
    ai = AIMessage("", tool_calls=[{"name": "ask", "args": {"question": "ok?"}, "id": "c1"}])
    # the interrupt passes through handle_tool_errors=True instead of becoming an error ToolMessage:
    # the run pauses with it, and the answer becomes the tool's result
    paused = graph.invoke({"messages": [ai]}, config)
    assert [i.value for i in paused["__interrupt__"]] == ["ok?"]
    assert len(paused["messages"]) == 1
    done = graph.invoke(g.types.Command(resume="yes"), config)
    assert [(m.type, m.content) for m in done["messages"]] == [("ai", ""), ("tool", "yes")]


def test_a_scripted_reply_given_as_an_ai_message_is_that_message() -> None:
    """An AIMessage reply with tool calls calls the tool (it is not read as a structured answer,
    although a message is a pydantic model too)."""
    nb = LIBS["nbstream"].prebuilt

    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    call = AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": "call_1"}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = nb.create_react_agent(scripted_chat_model(call, "2 + 3 = 5"), [add])
    out = agent.invoke({"messages": [("user", "what is 2 + 3?")]})
    assert [(m.type, m.content) for m in out["messages"][1:]] == [("ai", ""), ("tool", "5"), ("ai", "2 + 3 = 5")]
