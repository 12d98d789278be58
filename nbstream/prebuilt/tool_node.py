"""``ToolNode``: the node that runs a model's tool calls, and ``tools_condition``, the edge to it.

What a ToolNode does with its input, as ``langgraph.prebuilt`` 1.1 does:

* A state with a messages key (dict, or an object with that attribute): the tool calls of its
  last ``AIMessage`` run, and it returns ``{messages_key: [ToolMessage, ...]}``. A list of
  messages gives a list of ``ToolMessage``. A list of tool calls, or the payload
  ``create_react_agent`` v2 sends per call (``{"__type": "tool_call_with_context", ...}``), runs
  those calls.
* The calls run in parallel (sync: langchain-core's context-copying thread pool, bounded by
  ``max_concurrency``; async: one asyncio task each); the results keep the calls' order.
* A tool that returns a ``Command`` makes the output a list mixing those Commands with the
  plain updates, which the runner applies item by item; the Commands' ``Send`` gotos to the
  parent graph are merged into one parent Command at the end.
* A call of a tool the node does not have is answered with an error ``ToolMessage`` naming the
  tools it has. Tool errors follow ``handle_tool_errors`` (see :mod:`._tool_errors`).
* Arguments annotated ``InjectedState``, ``InjectedStore``, ``ToolRuntime`` (or named
  ``runtime``) and langchain-core's ``InjectedToolCallId`` are filled in and hidden from the model.
  ``InjectedStore`` gets the graph's store (``compile(store=...)``); LangGraph's own marker
  (``langgraph.prebuilt.InjectedStore``) works too. Called in a graph without a store, such a tool
  raises ``ValueError``, as in LangGraph.

``get_stream_writer()``, ``get_config()`` and ``interrupt()`` work inside tools as in the node
that runs them; interrupts and other control-flow signals pass through every error policy.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from copy import copy, deepcopy
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypedDict, cast

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    RemoveMessage,
    ToolCall,
    ToolMessage,
    convert_to_messages,
)
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config, get_config_list, get_executor_for_config
from langchain_core.tools import BaseTool, InjectedToolArg
from langchain_core.tools import tool as as_tool
from langchain_core.tools.base import _DirectlyInjectedToolArg
from pydantic import BaseModel, ValidationError
from typing_extensions import TypeVar

from nbstream.errors import GraphBubbleUp, NotSupportedError
from nbstream.prebuilt._injection import Injections, injections_of
from nbstream.prebuilt._tool_errors import (
    INVALID_TOOL_NAME_ERROR_TEMPLATE,
    TOOL_CALL_ERROR_TEMPLATE,
    TOOL_EXECUTION_ERROR_TEMPLATE,
    TOOL_INVOCATION_ERROR_TEMPLATE,
    ErrorPolicy,
    ToolInvocationError,
    caught_types,
    default_handle_tool_errors,
    error_content,
    model_errors,
    msg_content_output,
)
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._runtime import ExecutionInfo, Runtime, ServerInfo, runtime_of
from nbstream.runtime._task import Stopped
from nbstream.types import Command, Send, StreamWriter

__all__ = [
    "INVALID_TOOL_NAME_ERROR_TEMPLATE",
    "TOOL_CALL_ERROR_TEMPLATE",
    "TOOL_EXECUTION_ERROR_TEMPLATE",
    "TOOL_INVOCATION_ERROR_TEMPLATE",
    "InjectedState",
    "InjectedStore",
    "ToolCallRequest",
    "ToolCallWithContext",
    "ToolInvocationError",
    "ToolNode",
    "ToolRuntime",
    "msg_content_output",
    "tools_condition",
]

StateT = TypeVar("StateT", default=dict[str, Any])
ContextT = TypeVar("ContextT", default=None)
InputKind = Literal["list", "dict", "tool_calls"]
REMOVE_ALL_MESSAGES = "__remove_all__"
#: what no error policy turns into a ToolMessage: interrupts and hand-offs, refusals, a stopped run
_NEVER_CAUGHT = (GraphBubbleUp, NotSupportedError, Stopped)


class InjectedState(InjectedToolArg):
    """Marks a tool argument filled from the graph state (``field``: one key; None: the whole state)."""

    def __init__(self, field: str | None = None) -> None:
        self.field = field


class InjectedStore(InjectedToolArg):
    """Marks a tool argument filled with the graph's store (``compile(store=...)``)."""


def _store_markers() -> tuple[type, ...]:
    """nbstream's ``InjectedStore``, and LangGraph's when a program already imported it (a tool
    annotated with LangGraph's marker then gets the store too, without nbstream importing LangGraph)."""
    langgraph_tool_node = sys.modules.get("langgraph.prebuilt.tool_node")
    theirs = getattr(langgraph_tool_node, "InjectedStore", None)
    return (InjectedStore,) if theirs is None else (InjectedStore, theirs)


@dataclass
class ToolRuntime(_DirectlyInjectedToolArg, Generic[ContextT, StateT]):
    """What a tool taking a ``runtime: ToolRuntime`` argument gets: state, context, config, writer..."""

    state: StateT
    context: ContextT
    config: RunnableConfig
    stream_writer: StreamWriter
    tool_call_id: str | None
    store: Any
    tools: list[BaseTool] = field(default_factory=list)
    execution_info: ExecutionInfo | None = None
    server_info: ServerInfo | None = None

    def emit_output_delta(self, delta: Any) -> None:
        """LangGraph's partial tool output for its ``tools`` stream: nbstream has no such stream, so
        this does nothing (as LangGraph does when that stream is not asked for)."""


@dataclass
class ToolCallRequest:
    """A tool call as LangGraph's ``wrap_tool_call`` interceptors see it (nbstream refuses those
    interceptors; the class is here so that code naming it imports)."""

    tool_call: ToolCall
    tool: BaseTool | None
    state: Any
    runtime: ToolRuntime[Any, Any]

    def override(self, **overrides: Any) -> ToolCallRequest:
        """A copy with ``overrides`` (a new ``state`` is the runtime's state too)."""
        request = replace(self, **overrides)
        if "state" in overrides and isinstance(request.runtime, ToolRuntime):
            request = replace(request, runtime=replace(request.runtime, state=request.state))
        return request


class ToolCallWithContext(TypedDict):
    """The input ``create_react_agent`` v2 sends the ToolNode per tool call: the call and the state."""

    __type: Literal["tool_call_with_context"]
    tool_call: ToolCall
    state: Any


class ToolNode(Runnable[Any, Any]):
    """A graph node that runs the tool calls of the last AIMessage (see the module docstring)."""

    name: str | None = "tools"

    def __init__(
        self,
        tools: Sequence[BaseTool | Callable[..., Any]],
        *,
        name: str = "tools",
        tags: list[str] | None = None,
        handle_tool_errors: ErrorPolicy = default_handle_tool_errors,
        messages_key: str = "messages",
        wrap_tool_call: Any = None,
        awrap_tool_call: Any = None,
    ) -> None:
        if wrap_tool_call is not None or awrap_tool_call is not None:
            which = "wrap_tool_call" if wrap_tool_call is not None else "awrap_tool_call"
            raise NotSupportedError(
                f"ToolNode({which}=...) is not supported by nbstream: wrap the tools themselves "
                f"(a tool that calls the original and handles its result), or run this graph with LangGraph."
            )
        self.name = name
        self.tags = tags
        self._handle_tool_errors = handle_tool_errors
        self._messages_key = messages_key
        self._tools_by_name: dict[str, BaseTool] = {}
        self._injections: dict[str, Injections] = {}
        for given in tools:
            made = given if isinstance(given, BaseTool) else as_tool(cast(Any, given))
            self._tools_by_name[made.name] = made
            self._injections[made.name] = injections_of(made, InjectedState, _store_markers(), ToolRuntime)

    @property
    def tools_by_name(self) -> dict[str, BaseTool]:
        """The node's tools by name."""
        return self._tools_by_name

    def __repr__(self) -> str:
        return f"ToolNode(tools={list(self._tools_by_name)}, name={self.name!r})"

    # -- running ---------------------------------------------------------------------------------
    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        calls, kind = self._parse_input(input)
        runtimes = self._runtimes(input, calls, config)
        if len(calls) == 1:  # no thread for a single call
            outputs = [self._run_one(calls[0], kind, runtimes[0])]
        else:
            with get_executor_for_config(config) as pool:
                outputs = list(pool.map(self._run_one, calls, [kind] * len(calls), runtimes))
        return self._combine(outputs, kind)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        calls, kind = self._parse_input(input)
        runtimes = self._runtimes(input, calls, config)
        outputs = await asyncio.gather(
            *(self._arun_one(c, kind, r) for c, r in zip(calls, runtimes, strict=True))
        )
        return self._combine(list(outputs), kind)

    def _runtimes(
        self, input: Any, calls: list[ToolCall], config: RunnableConfig | None
    ) -> list[ToolRuntime[Any, Any]]:
        """One ToolRuntime per call, each with its own copy of the config."""
        ctx = CURRENT_TASK.get()
        runtime: Runtime[Any] = runtime_of(ctx) if ctx is not None else Runtime()
        state = self._state_of(input)
        tools = list(self._tools_by_name.values())
        configs = get_config_list(ensure_config(config), len(calls))
        return [
            ToolRuntime(
                state=state,
                context=runtime.context,
                config=cfg,
                stream_writer=runtime.stream_writer,
                tool_call_id=call["id"],
                store=runtime.store,
                tools=tools,
                execution_info=runtime.execution_info,
                server_info=runtime.server_info,
            )
            for call, cfg in zip(calls, configs, strict=True)
        ]

    def _prepare(
        self, call: ToolCall, runtime: ToolRuntime[Any, Any]
    ) -> tuple[BaseTool | None, dict[str, Any]]:
        """The tool for ``call`` (None: unknown) and the input to invoke it with, injected args filled."""
        tool = self._tools_by_name.get(call["name"])
        if tool is None:
            return None, {}
        return tool, {**self._inject(call, runtime), "type": "tool_call"}

    def _run_one(self, call: ToolCall, kind: InputKind, runtime: ToolRuntime[Any, Any]) -> Any:
        tool, tool_input = self._prepare(call, runtime)
        if tool is None:
            return self._unknown_tool(call)
        try:
            try:
                response = tool.invoke(tool_input, runtime.config)
            except ValidationError as exc:
                raise self._invocation_error(call, exc) from exc
            return self._normalize(response, call, kind)
        except _NEVER_CAUGHT:
            raise
        except Exception as exc:
            return self._answer_error(exc, call)

    async def _arun_one(self, call: ToolCall, kind: InputKind, runtime: ToolRuntime[Any, Any]) -> Any:
        tool, tool_input = self._prepare(call, runtime)
        if tool is None:
            return self._unknown_tool(call)
        try:
            try:
                response = await tool.ainvoke(tool_input, runtime.config)
            except ValidationError as exc:
                raise self._invocation_error(call, exc) from exc
            return self._normalize(response, call, kind)
        except _NEVER_CAUGHT:
            raise
        except Exception as exc:
            return self._answer_error(exc, call)

    # -- errors ----------------------------------------------------------------------------------
    def _unknown_tool(self, call: ToolCall) -> ToolMessage:
        content = INVALID_TOOL_NAME_ERROR_TEMPLATE.format(
            requested_tool=call["name"], available_tools=", ".join(self._tools_by_name)
        )
        return ToolMessage(content, name=call["name"], tool_call_id=call["id"], status="error")

    def _invocation_error(self, call: ToolCall, exc: ValidationError) -> ToolInvocationError:
        hidden = self._injections[call["name"]].hidden
        return ToolInvocationError(call["name"], exc, call["args"], model_errors(exc, hidden))

    def _answer_error(self, exc: Exception, call: ToolCall) -> ToolMessage:
        """The error ToolMessage for ``exc`` if the policy catches it; else re-raise it."""
        policy = self._handle_tool_errors
        if not policy or not isinstance(exc, caught_types(policy)):
            raise exc
        return ToolMessage(
            content=error_content(exc, policy), name=call["name"], tool_call_id=call["id"], status="error"
        )

    # -- input and output ------------------------------------------------------------------------
    def _parse_input(self, input: Any) -> tuple[list[ToolCall], InputKind]:
        if isinstance(input, list):
            if input and isinstance(input[-1], dict) and input[-1].get("type") == "tool_call":
                return cast(list[ToolCall], input), "tool_calls"
            messages: Any = input
            kind: InputKind = "list"
        elif isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
            return [input["tool_call"]], "tool_calls"
        elif (isinstance(input, dict) and (messages := input.get(self._messages_key, []))) or (
            messages := getattr(input, self._messages_key, [])
        ):
            kind = "dict"
        else:
            raise ValueError("No message found in input")
        last_ai = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
        if last_ai is None:
            raise ValueError("No AIMessage found in input")
        return list(last_ai.tool_calls), kind

    def _state_of(self, input: Any) -> Any:
        """The state a tool sees: the input, the state a v2 Send carried, or (for bare tool calls)
        the state of the run at this step."""
        if isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
            return input["state"]
        if (
            isinstance(input, list)
            and input
            and isinstance(input[-1], dict)
            and input[-1].get("type") == "tool_call"
        ):
            ctx = CURRENT_TASK.get()
            return {} if ctx is None else ctx.task.node.to_input(ctx.run.values)
        return input

    def _inject(self, call: ToolCall, runtime: ToolRuntime[Any, Any]) -> ToolCall:
        """``call`` with its injected arguments filled in (and any the model forged dropped)."""
        wanted = self._injections[call["name"]]
        if not wanted:
            return call
        filled: dict[str, Any] = {}
        if wanted.state:
            state = runtime.state
            if isinstance(state, list):  # a list of messages stands for the messages key alone
                keys = list(wanted.state.values())
                if (len(keys) == 1 and keys[0] == self._messages_key) or keys[0] is None:
                    state = {self._messages_key: state}
                else:
                    message = (
                        f"Invalid input to ToolNode. Tool {call['name']} requires graph state dict as input."
                    )
                    if any(keys):
                        message += f" State should contain fields {', '.join(k for k in keys if k)}."
                    raise ValueError(message)
            for arg, key in wanted.state.items():
                if not key:
                    filled[arg] = state
                elif isinstance(state, dict):
                    if key in state:
                        filled[arg] = state[key]
                    elif arg not in wanted.optional_state:
                        raise KeyError(key)
                elif hasattr(state, key):
                    filled[arg] = getattr(state, key)
                elif arg not in wanted.optional_state:
                    raise AttributeError(key)
        if wanted.store is not None:
            if runtime.store is None:  # LangGraph's error type: raised out of the node, never a ToolMessage
                raise ValueError(
                    f"tool {call['name']!r} (call {call['id']!r}) takes an InjectedStore argument "
                    f"{wanted.store!r}, but the graph has no store: compile it with one, e.g. "
                    "compile(store=InMemoryStore())"
                )
            filled[wanted.store] = runtime.store
        if wanted.runtime is not None:
            filled[wanted.runtime] = runtime
        injected = copy(call)
        injected["args"] = {**{k: v for k, v in call["args"].items() if k not in wanted.hidden}, **filled}
        return injected

    def _normalize(self, response: Any, call: ToolCall, kind: InputKind) -> Any:
        """A tool's return, checked: a ToolMessage, a Command, or a list of them."""
        if isinstance(response, Command):
            return self._checked_command(response, call, kind)
        if isinstance(response, ToolMessage):
            response.content = cast(Any, msg_content_output(response.content))
            return response
        if isinstance(response, list):
            if all(isinstance(r, Command | ToolMessage) for r in response):
                return self._checked_list(response, call, kind)
            raise TypeError(
                f"Tool {call['name']} returned a list with invalid element types: "
                "expected all Command or ToolMessage"
            )
        raise TypeError(f"Tool {call['name']} returned unexpected type: {type(response)}")

    def _checked_list(self, response: list[Any], call: ToolCall, kind: InputKind) -> list[Any]:
        """A list a tool returned: exactly one ToolMessage in it must answer the call."""
        answers = 0
        for item in response:
            if isinstance(item, ToolMessage):
                answers += item.tool_call_id == call["id"]
            elif isinstance(item.update, dict):
                for message in item.update.get(self._messages_key, []):
                    answers += isinstance(message, ToolMessage) and message.tool_call_id == call["id"]
        if answers != 1:
            raise ValueError(
                f"Tool {call['name']} returned a list with {answers} messages bound to tool_call_id "
                f"{call['id']!r}; expected exactly one terminating ToolMessage."
            )
        checked: list[Any] = []
        for item in response:
            if isinstance(item, Command):
                checked.append(self._checked_command(item, call, kind, needs_answer=False))
            else:
                item.content = msg_content_output(item.content)
                checked.append(item)
        return checked

    def _checked_command(
        self, command: Command[Any], call: ToolCall, kind: InputKind, *, needs_answer: bool = True
    ) -> Command[Any]:
        """A Command a tool returned; one for this graph must carry the ToolMessage answering the call."""
        key = self._messages_key
        if isinstance(command.update, dict):
            if kind not in ("dict", "tool_calls"):
                raise ValueError(
                    f"Tools can provide a dict in Command.update only when using dict with '{key}' key as "
                    f"ToolNode input, got: {command.update} for tool '{call['name']}'"
                )
            command = deepcopy(command)
            messages = command.update.get(key, [])
        elif isinstance(command.update, list):
            if kind != "list":
                raise ValueError(
                    "Tools can provide a list of messages in Command.update only when using list of messages "
                    f"as ToolNode input, got: {command.update} for tool '{call['name']}'"
                )
            command = deepcopy(command)
            messages = command.update
        else:
            return command
        messages = convert_to_messages(messages)
        if messages == [RemoveMessage(id=REMOVE_ALL_MESSAGES)]:
            return command
        answered = False
        for message in messages:
            if isinstance(message, ToolMessage) and message.tool_call_id == call["id"]:
                message.name = call["name"]
                answered = True
        if needs_answer and command.graph is None and not answered:
            example = (
                '`Command(update={"messages": '
                '[ToolMessage("Success", tool_call_id=tool_call_id), ...]}, ...)`'
                if kind == "dict"
                else '`Command(update=[ToolMessage("Success", tool_call_id=tool_call_id), ...], ...)`'
            )
            raise ValueError(
                f"Expected to have a matching ToolMessage in Command.update for tool '{call['name']}', got: "
                f"{messages}. Every tool call (LLM requesting to call a tool) in the message history "
                "MUST have a corresponding ToolMessage. You can fix it by modifying the tool to return "
                f"{example}."
            )
        return command

    def _combine(self, outputs: list[Any], kind: InputKind) -> Any:
        """The node's return: the ToolMessages alone, or (with Commands) a list the runner applies."""
        flat: list[Any] = []
        for output in outputs:
            flat.extend(output) if isinstance(output, list) else flat.append(output)
        key = self._messages_key
        if not any(isinstance(o, Command) for o in flat):
            return flat if kind == "list" else {key: flat}
        combined: list[Any] = []
        parent: Command[Any] | None = None
        for output in flat:
            if not isinstance(output, Command):
                combined.append([output] if kind == "list" else {key: [output]})
            elif (
                output.graph == Command.PARENT
                and isinstance(output.goto, list)
                and all(isinstance(s, Send) for s in output.goto)
            ):
                sends = list(output.goto)
                parent = (
                    Command(graph=Command.PARENT, goto=sends)
                    if parent is None
                    else replace(parent, goto=[*cast(list[Send], parent.goto), *sends])
                )
            else:
                combined.append(output)
        if parent is not None:
            combined.append(parent)
        return combined


def tools_condition(
    state: list[AnyMessage] | dict[str, Any] | BaseModel, messages_key: str = "messages"
) -> Literal["tools", "__end__"]:
    """The router after a model node: ``"tools"`` if its last message has tool calls, else ``"__end__"``."""
    if isinstance(state, list):
        last = state[-1]
    elif (isinstance(state, dict) and (messages := state.get(messages_key, []))) or (
        messages := getattr(state, messages_key, [])
    ):
        last = messages[-1]
    else:
        raise ValueError(f"No messages found in input state to tool_edge: {state}")
    if getattr(last, "tool_calls", None):
        return "tools"
    return "__end__"
