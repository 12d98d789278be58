"""``add_messages``, the message-list reducer, ``MessagesState``, and the refused ``MessageGraph``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from langchain_core.messages import AnyMessage, BaseMessage, RemoveMessage, convert_to_messages

# typing_extensions' TypedDict, not typing's: pydantic refuses typing.TypedDict on Python < 3.12, and
# MessagesState ends up in pydantic models (e.g. Annotated[MessagesState, InjectedState] in a tool)
from typing_extensions import TypedDict

from nbstream.errors import NotSupportedError
from nbstream.graph._builder import StateGraph

__all__ = ["add_messages", "MessagesState", "MessageGraph", "REMOVE_ALL_MESSAGES"]

#: a ``RemoveMessage(id=REMOVE_ALL_MESSAGES)`` clears the whole list
REMOVE_ALL_MESSAGES = "__remove_all__"


def _as_list(value: Any) -> list[BaseMessage]:
    items: Sequence[Any] = value if isinstance(value, list | tuple) and not _is_pair(value) else [value]
    messages = list(convert_to_messages(list(items)))
    for message in messages:
        if message.id is None:
            message.id = str(uuid.uuid4())
    return messages


def _is_pair(value: Any) -> bool:
    # ("ai", "hi") is one message in shorthand, not a list of two
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)


def add_messages(left: Any = None, right: Any = None, **kwargs: Any) -> Any:
    """Merge two message lists: append new ids, replace same ids, delete on ``RemoveMessage``.

    Tuples, dicts and strings are converted to messages; messages without an id get a uuid4.
    Called with options only (``add_messages(format=...)``) it returns the configured reducer, as
    LangGraph's does; ``format="langchain-openai"`` is refused (nbstream does not convert contents).
    """
    if kwargs:
        if set(kwargs) - {"format"}:
            raise TypeError(f"add_messages() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if kwargs["format"] is not None:
            from nbstream.errors import NotSupportedError

            raise NotSupportedError(
                f"add_messages(format={kwargs['format']!r}) is not supported by nbstream: it keeps "
                "messages as langchain-core returns them. Drop format=, or convert in the node."
            )
    if left is None and right is None:
        return add_messages
    existing = _as_list(left)
    incoming = _as_list(right)
    for i, message in enumerate(incoming):
        if isinstance(message, RemoveMessage) and message.id == REMOVE_ALL_MESSAGES:
            return incoming[i + 1 :]
    merged = list(existing)
    index = {m.id: i for i, m in enumerate(merged)}
    removed: set[str] = set()
    for message in incoming:
        position = index.get(message.id)
        if isinstance(message, RemoveMessage):
            if position is None:
                raise ValueError(f"RemoveMessage(id={message.id!r}) names a message that is not in the list")
            removed.add(str(message.id))
        elif position is not None:
            merged[position] = message
        else:
            index[message.id] = len(merged)
            merged.append(message)
    return [m for m in merged if m.id not in removed]


class MessagesState(TypedDict):
    """A state with one key, ``messages``, merged by :func:`add_messages`."""

    messages: Annotated[list[AnyMessage], add_messages]


class MessageGraph(StateGraph):
    """LangGraph's deprecated graph whose whole state is one message list: not supported."""

    def __init__(self) -> None:
        raise NotSupportedError(
            "MessageGraph is not supported (LangGraph deprecated it in 1.0): use "
            "StateGraph(MessagesState), whose 'messages' key is merged by add_messages, and have "
            "nodes return {'messages': [...]}"
        )
