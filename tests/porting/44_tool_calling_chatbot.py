"""The tool-calling chatbot: a model node, a prebuilt ToolNode and tools_condition, streamed by updates."""

from typing import Annotated

from langchain_core.tools import tool
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from typing_extensions import TypedDict

from nbstream.testing import scripted_chat_model


class State(TypedDict):
    messages: Annotated[list, add_messages]


@tool
def search(query: str) -> str:
    """Search the web for a query."""
    return f"LangGraph is a library for building stateful agents ({query})."


tools = [search]
llm = scripted_chat_model(
    [{"name": "search", "args": {"query": "what is langgraph"}}],
    "LangGraph is a library for building stateful, multi-actor agents.",
)
llm_with_tools = llm.bind_tools(tools)


def chatbot(state: State):
    return {"messages": [llm_with_tools.invoke(state["messages"])]}


graph_builder = StateGraph(State)
graph_builder.add_node("chatbot", chatbot)
graph_builder.add_node("tools", ToolNode(tools=tools))
graph_builder.add_conditional_edges("chatbot", tools_condition)
graph_builder.add_edge("tools", "chatbot")
graph_builder.add_edge(START, "chatbot")
graph = graph_builder.compile()

for event in graph.stream({"messages": [{"role": "user", "content": "What is LangGraph?"}]}):
    for node, value in event.items():
        print("node:", node)
        value["messages"][-1].pretty_print()
print(llm.bound_tools[0][0]["function"]["name"], sorted(llm.bound_tools[0][0]["function"]["parameters"]))
