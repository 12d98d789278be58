"""A scripted chat model for tests of tool-calling agents (see :func:`nbstream.testing.scripted_chat_model`).

It answers its replies in turn, on ``invoke`` and on ``stream`` alike. Streaming splits the text
at whitespace and a tool call into one chunk naming it (with its id) followed by one chunk per
piece of its JSON arguments, so a ``messages`` stream shows the call being written. Message ids
are ``<id_prefix>-1``, ``<id_prefix>-2``... and tool call ids, where a reply leaves them out,
``call_1``, ``call_2``...: two runs of the same script give the same messages, whichever runtime
drives them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, PrivateAttr

__all__ = ["ScriptedChatModel"]

#: where a tool call's JSON arguments are cut into streamed pieces (the separators stay, as pieces)
_ARG_PIECES = re.compile(r'([{}\[\]:,"]|\s+)')


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers a fixed script of replies, streaming text and tool calls piecewise.

    A reply is a string (text), an ``AIMessage`` (text and/or ``tool_calls``), a list of tool
    calls (``{"name": ..., "args": {...}}``, ``"id"`` optional), or a pydantic model instance
    (answered as a call of a tool named after its class: what
    ``with_structured_output(ThatClass)`` parses back into the instance). After the last reply
    the model raises ``IndexError``, naming the call, unless ``cycle=True``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    replies: list[Any]
    cycle: bool = False
    id_prefix: str = "msg"
    _next: int = PrivateAttr(default=0)
    _calls: int = PrivateAttr(default=0)
    _tool_calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    #: the tools each ``bind_tools`` call was given, as OpenAI tool schemas (what a model would see)
    _bound: list[list[dict[str, Any]]] = PrivateAttr(default_factory=list)
    #: the messages each call received
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "nbstream-scripted"

    @property
    def bound_tools(self) -> list[list[dict[str, Any]]]:
        """The OpenAI tool schemas of every ``bind_tools`` call, in order."""
        return self._bound

    @property
    def received(self) -> list[list[BaseMessage]]:
        """The input messages of every call, in order."""
        return self._seen

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """The model with ``tools`` bound (recorded in :attr:`bound_tools`; the script decides the calls)."""
        schemas = [convert_to_openai_tool(t) for t in tools]
        self._bound.append(schemas)
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=schemas, **kwargs)

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        with self._lock:  # parallel calls (a Send per question) take replies in call order
            self._seen.append(list(messages))
            index = self._next
            if index >= len(self.replies):
                if not self.cycle or not self.replies:
                    raise IndexError(
                        f"the scripted chat model was called {index + 1} times but has "
                        f"{len(self.replies)} replies; add replies or pass cycle=True"
                    )
                index %= len(self.replies)
            self._next += 1
            self._calls += 1
            number = self._calls
        return self._as_message(self.replies[index], number)

    def _as_message(self, reply: Any, number: int) -> AIMessage:
        msg_id = f"{self.id_prefix}-{number}"
        if isinstance(reply, str):
            return AIMessage(content=reply, id=msg_id)
        if isinstance(reply, AIMessage):  # before BaseModel: a message is a pydantic model too
            return reply if reply.id else reply.model_copy(update={"id": msg_id})
        if isinstance(reply, BaseModel):
            call = {"name": type(reply).__name__, "args": reply.model_dump(), "id": self._call_id()}
            return AIMessage(content="", tool_calls=[call], id=msg_id)
        if isinstance(reply, list) and all(isinstance(c, dict) and "name" in c for c in reply):
            calls = [
                {"name": c["name"], "args": c.get("args", {}), "id": c.get("id") or self._call_id()}
                for c in reply
            ]
            return AIMessage(content="", tool_calls=calls, id=msg_id)
        raise TypeError(
            f"a scripted reply is a str, an AIMessage, a list of tool calls or a pydantic model; "
            f"got {reply!r:.80}"
        )

    def _call_id(self) -> str:
        with self._lock:
            self._tool_calls += 1
            return f"call_{self._tool_calls}"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._reply(messages)
        pieces = _pieces(message)
        for i, chunk in enumerate(pieces):
            if i == len(pieces) - 1:
                chunk.chunk_position = "last"
            if run_manager is not None:
                token = chunk.content if isinstance(chunk.content, str) else ""
                run_manager.on_llm_new_token(token, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


def _pieces(message: AIMessage) -> list[AIMessageChunk]:
    """The chunks ``message`` streams as: its words, then each tool call's name and argument pieces."""
    msg_id = message.id
    content = message.content if isinstance(message.content, str) else ""
    chunks = [AIMessageChunk(content=t, id=msg_id) for t in re.split(r"(\s)", content) if t]
    for index, call in enumerate(message.tool_calls):
        head = {"name": call["name"], "args": "", "id": call["id"], "index": index, "type": "tool_call_chunk"}
        chunks.append(AIMessageChunk(content="", id=msg_id, tool_call_chunks=[head]))  # type: ignore[list-item]
        for piece in (p for p in _ARG_PIECES.split(json.dumps(call["args"])) if p):
            part = {"name": None, "args": piece, "id": None, "index": index, "type": "tool_call_chunk"}
            chunks.append(AIMessageChunk(content="", id=msg_id, tool_call_chunks=[part]))  # type: ignore[list-item]
    if not chunks:
        chunks.append(AIMessageChunk(content="", id=msg_id))
    return chunks
