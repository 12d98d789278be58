"""An agent loop without prebuilt: assistant -> tools -> assistant until the model answers."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph


def add(a: int, b: int) -> int:
    return a + b


def multiply(a: int, b: int) -> int:
    return a * b


def divide(a: int, b: int) -> float:
    return a / b


TOOLS = {"add": add, "multiply": multiply, "divide": divide}


def call(name: str, call_id: str, **args: int) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


llm = GenericFakeChatModel(
    messages=iter(
        [
            call("add", "c1", a=3, b=4),
            call("multiply", "c2", a=7, b=2),
            call("divide", "c3", a=14, b=5),
            AIMessage(content="The result is 2.8."),
        ]
    )
)
sys_msg = SystemMessage(content="You are a helpful assistant tasked with performing arithmetic.")


def assistant(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [llm.invoke([sys_msg, *state["messages"]])]}


def tools(state: MessagesState) -> dict[str, list[ToolMessage]]:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    return {
        "messages": [
            ToolMessage(content=str(TOOLS[c["name"]](**c["args"])), tool_call_id=c["id"], name=c["name"])
            for c in last.tool_calls
        ]
    }


def tools_condition(state: MessagesState) -> str:
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else END


builder = StateGraph(MessagesState)
builder.add_node("assistant", assistant)
builder.add_node("tools", tools)
builder.add_edge(START, "assistant")
builder.add_conditional_edges("assistant", tools_condition, ["tools", END])
builder.add_edge("tools", "assistant")
react_graph = builder.compile()

messages = [HumanMessage(content="Add 3 and 4. Multiply the output by 2. Divide the output by 5")]
for chunk in react_graph.stream({"messages": messages}, stream_mode="updates"):
    for node, update in chunk.items():
        print(f"== {node}")
        for m in update["messages"]:
            m.pretty_print()
