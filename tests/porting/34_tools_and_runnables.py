"""Tools from langchain-core called by a hand-written tool node, runnables as nodes, add_sequence."""

from typing import TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, MessagesState, StateGraph


@tool
def search(query: str) -> str:
    """Look something up on the web."""
    return f"Top result for {query!r}: LangGraph is a low-level orchestration framework."


@tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


tools_by_name = {t.name: t for t in [search, word_count]}
model = GenericFakeChatModel(
    messages=iter(
        [
            AIMessage(
                content="Let me check.",
                tool_calls=[
                    {"name": "search", "args": {"query": "langgraph"}, "id": "t1", "type": "tool_call"},
                    {
                        "name": "word_count",
                        "args": {"text": "one two three"},
                        "id": "t2",
                        "type": "tool_call",
                    },
                ],
            ),
            AIMessage(content="LangGraph orchestrates agents; your text has 3 words."),
        ]
    )
)


def agent(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [model.invoke(state["messages"])]}


def tool_node(state: MessagesState) -> dict[str, list[ToolMessage]]:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    return {"messages": [tools_by_name[call["name"]].invoke(call) for call in last.tool_calls]}


def should_continue(state: MessagesState) -> str:
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else END


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_node("tools", tool_node)
builder.set_entry_point("agent")
builder.add_conditional_edges("agent", should_continue, {"tools": "tools", END: END})
builder.add_edge("tools", "agent")
graph = builder.compile()
for chunk in graph.stream(
    {"messages": [HumanMessage(content="What is LangGraph?", id="q1")]}, stream_mode="updates"
):
    for node, update in chunk.items():
        for m in update["messages"]:
            print(node, type(m).__name__, m.content, getattr(m, "tool_call_id", ""))


class Essay(TypedDict):
    topic: str
    prompt: str
    text: str


prompt = ChatPromptTemplate.from_messages([("system", "You write essays."), ("user", "Write about {topic}")])
builder = StateGraph(Essay)
builder.add_node(
    "make_prompt", RunnableLambda(lambda s: {"prompt": prompt.invoke({"topic": s["topic"]}).to_string()})
)
builder.add_sequence(
    [
        ("draft", lambda s: {"text": f"Draft on {s['topic']}."}),
        ("polish", lambda s: {"text": s["text"].replace("Draft", "Essay")}),
    ]
)
builder.set_entry_point("make_prompt")
builder.add_edge("make_prompt", "draft")
builder.set_finish_point("polish")
essay = builder.compile()
print(essay.invoke({"topic": "rivers"}))
for chunk in essay.stream({"topic": "hills"}, stream_mode="updates"):
    print(chunk)
print(essay.batch([{"topic": "lakes"}, {"topic": "caves"}]))
