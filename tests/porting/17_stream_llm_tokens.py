"""Streaming LLM tokens with stream_mode="messages": filter by node and by tags (streaming how-to)."""

from typing import TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langgraph.graph import START, StateGraph

joke_model = GenericFakeChatModel(
    messages=iter(["Why did the cat sit on the computer? To keep an eye on the mouse."]), tags=["joke"]
)
poem_model = GenericFakeChatModel(messages=iter(["Cats at dawn, soft paws on the lawn."]), tags=["poem"])


class State(TypedDict):
    topic: str
    joke: str
    poem: str


def write_joke(state: State) -> dict[str, str]:
    response = joke_model.invoke([{"role": "user", "content": f"Write a joke about {state['topic']}"}])
    return {"joke": str(response.content)}


def write_poem(state: State) -> dict[str, str]:
    response = poem_model.invoke([{"role": "user", "content": f"Write a poem about {state['topic']}"}])
    return {"poem": str(response.content)}


graph = (
    StateGraph(State)
    .add_node(write_joke)
    .add_node(write_poem)
    .add_edge(START, "write_joke")
    .add_edge("write_joke", "write_poem")
    .compile()
)

for message_chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    if message_chunk.content:
        print(metadata["langgraph_node"], metadata["tags"], repr(message_chunk.content))
    else:
        print(metadata["langgraph_node"], "empty chunk", type(message_chunk).__name__)

joke_model.messages = iter(["Cats rule."])
poem_model.messages = iter(["Purr, purr."])
for message_chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    if "joke" in metadata.get("tags", []):
        print("joke token:", repr(message_chunk.content))
    if metadata["langgraph_node"] == "write_poem" and message_chunk.content:
        print("poem token:", repr(message_chunk.content))

joke_model.messages = iter(["One more joke."])
poem_model.messages = iter(["One more poem."])
for _chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    print(
        sorted(k for k in metadata if not k.startswith("checkpoint")),
        metadata["langgraph_step"],
        metadata["langgraph_path"],
    )
    break
