"""``create_react_agent``: a model that calls tools in a loop, as an nbstream graph.

The graph is LangGraph's (langgraph-prebuilt 1.1), node for node, so its streams match:

* ``agent`` calls the model (prompt, then the model with the tools bound); a ``tools`` node (a
  :class:`~nbstream.prebuilt.ToolNode`) runs the calls; ``agent`` again, until the model answers
  without tool calls.
* ``version="v2"`` (the default) sends each tool call to ``tools`` as its own task (a ``Send``);
  ``"v1"`` runs them all in one ``tools`` task.
* ``pre_model_hook``/``post_model_hook`` are nodes before/after ``agent``;
  ``response_format`` adds ``generate_structured_response``, which asks the model for the final
  answer in that schema (``with_structured_output``).
* With a ``remaining_steps`` budget below what another tool round needs, the agent answers
  "Sorry, need more steps to process this request." instead of calling tools.

It warns as LangGraph does (``LangGraphDeprecatedSinceV10``: moved to ``langchain.agents``).
``checkpointer``, ``store``, ``interrupt_before``/``interrupt_after`` go to ``compile()``, which
says what nbstream does not support.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal, NotRequired, TypeVar, cast, get_type_hints

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.runnables import (
    Runnable,
    RunnableBinding,
    RunnableConfig,
    RunnableLambda,
    RunnableSequence,
)
from langchain_core.tools import BaseTool
from pydantic import BaseModel
from typing_extensions import TypedDict, deprecated

from nbstream.errors import ErrorCode, create_error_message
from nbstream.graph import END, StateGraph, add_messages
from nbstream.managed import RemainingSteps
from nbstream.prebuilt.tool_node import ToolNode
from nbstream.runtime._context import CURRENT_TASK
from nbstream.runtime._runtime import Runtime, runtime_of
from nbstream.types import Send
from nbstream.warnings import LangGraphDeprecatedSinceV10

__all__ = [
    "create_react_agent",
    "create_tool_calling_executor",
    "AgentState",
    "AgentStatePydantic",
    "AgentStateWithStructuredResponse",
    "AgentStateWithStructuredResponsePydantic",
]

StructuredResponse = dict[str, Any] | BaseModel
StructuredResponseSchema = dict[str, Any] | type[BaseModel]
PROMPT_RUNNABLE_NAME = "Prompt"
_MORE_STEPS = "Sorry, need more steps to process this request."


@deprecated(
    "AgentState has been moved to `langchain.agents`. "
    "Please update your import to `from langchain.agents import AgentState`.",
    category=LangGraphDeprecatedSinceV10,
)
class AgentState(TypedDict):
    """The state of the agent."""

    messages: Annotated[Sequence[BaseMessage], add_messages]
    remaining_steps: NotRequired[RemainingSteps]


@deprecated(
    "AgentStatePydantic has been deprecated in favor of AgentState in `langchain.agents`.",
    category=LangGraphDeprecatedSinceV10,
)
class AgentStatePydantic(BaseModel):
    """The state of the agent."""

    messages: Annotated[Sequence[BaseMessage], add_messages]
    remaining_steps: RemainingSteps = 25


@deprecated(
    "AgentStateWithStructuredResponse has been deprecated in favor of AgentState in `langchain.agents`.",
    category=LangGraphDeprecatedSinceV10,
)
class AgentStateWithStructuredResponse(AgentState):
    """The state of the agent with a structured response."""

    structured_response: StructuredResponse


with warnings.catch_warnings():  # subclassing a deprecated model warns; defining this one must not
    warnings.simplefilter("ignore", LangGraphDeprecatedSinceV10)

    @deprecated(
        "AgentStateWithStructuredResponsePydantic has been deprecated in favor of AgentState "
        "in `langchain.agents`.",
        category=LangGraphDeprecatedSinceV10,
    )
    class AgentStateWithStructuredResponsePydantic(AgentStatePydantic):
        """The state of the agent with a structured response."""

        structured_response: StructuredResponse


StateSchema = TypeVar("StateSchema")
Prompt = SystemMessage | str | Callable[[Any], LanguageModelInput] | Runnable[Any, LanguageModelInput]


def _value(state: Any, key: str, default: Any = None) -> Any:
    return state.get(key, default) if isinstance(state, dict) else getattr(state, key, default)


def _prompt_runnable(prompt: Prompt | None) -> Runnable[Any, Any]:
    """The runnable that turns the state into the model's input messages."""
    if prompt is None:
        return RunnableLambda(lambda state: _value(state, "messages"), name=PROMPT_RUNNABLE_NAME)
    if isinstance(prompt, str | SystemMessage):
        system = SystemMessage(content=prompt) if isinstance(prompt, str) else prompt
        return RunnableLambda(lambda state: [system, *_value(state, "messages")], name=PROMPT_RUNNABLE_NAME)
    if isinstance(prompt, Runnable):
        return prompt
    if inspect.iscoroutinefunction(prompt):
        return RunnableLambda(_no_sync_prompt, afunc=prompt, name=PROMPT_RUNNABLE_NAME)
    if callable(prompt):
        return RunnableLambda(prompt, name=PROMPT_RUNNABLE_NAME)
    raise ValueError(f"Got unexpected type for `prompt`: {type(prompt)}")


def _no_sync_prompt(state: Any) -> Any:
    raise TypeError(
        f'No synchronous function provided to "{PROMPT_RUNNABLE_NAME}".\n'
        "Either initialize with a synchronous "
        f"function or invoke via the async API (ainvoke, astream, etc.)"
    )


def _first_model_step(model: Any) -> Any:
    if isinstance(model, RunnableSequence):
        return next((s for s in model.steps if isinstance(s, RunnableBinding | BaseChatModel)), model)
    return model


def _should_bind_tools(model: Any, tools: Sequence[BaseTool], num_builtin: int = 0) -> bool:
    """Whether the model still needs ``bind_tools`` (a model bound already must have these tools)."""
    model = _first_model_step(model)
    if not isinstance(model, RunnableBinding) or "tools" not in model.kwargs:
        return True
    bound = model.kwargs["tools"]
    if len(tools) != len(bound) - num_builtin:
        raise ValueError(
            "Number of tools in the model.bind_tools() and tools passed to create_react_agent must match"
            f" Got {len(tools)} tools, expected {len(bound) - num_builtin}"
        )
    names = set()
    for item in bound:
        if item.get("type") == "function":
            names.add(item["function"]["name"])
        elif item.get("name"):
            names.add(item["name"])
    if missing := {t.name for t in tools} - names:
        raise ValueError(f"Missing tools '{missing}' in the model.bind_tools()")
    return False


def _chat_model(model: Any) -> BaseChatModel:
    """The chat model under a binding or a sequence (``with_structured_output`` is asked of it)."""
    model = _first_model_step(model)
    if isinstance(model, RunnableBinding):
        model = model.bound
    if not isinstance(model, BaseChatModel):
        raise TypeError(
            "Expected `model` to be a ChatModel or RunnableBinding (e.g. model.bind_tools(...)), "
            f"got {type(model)}"
        )
    return model


def _validate_chat_history(messages: Sequence[BaseMessage]) -> None:
    """Every tool call in the history must have its ToolMessage before the model is called again."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    open_calls = [
        c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls if c["id"] not in answered
    ]
    if open_calls:
        raise ValueError(
            create_error_message(
                message="Found AIMessages with tool_calls that do not have a corresponding ToolMessage. "
                f"Here are the first few of those tool calls: {open_calls[:3]}.\n\n"
                "Every tool call (LLM requesting to call a tool) in the message history MUST have a "
                "corresponding ToolMessage (result of a tool invocation to return to the LLM) - this is "
                "required by most LLM providers.",
                error_code=ErrorCode.INVALID_CHAT_HISTORY,
            )
        )


class _AgentStep(Runnable[Any, Any]):
    """A node of the agent with a sync and an async body, each given (state, runtime, config)."""

    def __init__(self, name: str, sync: Callable[..., Any], async_: Callable[..., Awaitable[Any]]) -> None:
        self.name = name
        self._sync = sync
        self._async = async_

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self._sync(input, _runtime(), config or {})

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return await self._async(input, _runtime(), config or {})


def _runtime() -> Runtime[Any]:
    ctx = CURRENT_TASK.get()
    return runtime_of(ctx) if ctx is not None else Runtime()


@deprecated(
    "create_react_agent has been moved to `langchain.agents`. "
    "Please update your import to `from langchain.agents import create_agent`.",
    category=LangGraphDeprecatedSinceV10,
)
def create_react_agent(
    model: Any,
    tools: Sequence[BaseTool | Callable[..., Any] | dict[str, Any]] | ToolNode,
    *,
    prompt: Prompt | None = None,
    response_format: StructuredResponseSchema | tuple[str, StructuredResponseSchema] | None = None,
    pre_model_hook: Any = None,
    post_model_hook: Any = None,
    state_schema: Any = None,
    context_schema: type[Any] | None = None,
    checkpointer: Any = None,
    store: Any = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    version: Literal["v1", "v2"] = "v2",
    name: str | None = None,
    **deprecated_kwargs: Any,
) -> Any:
    """An agent graph that calls the model, runs the tool calls it asks for, and repeats until it answers."""
    if "config_schema" in deprecated_kwargs:
        config_schema = deprecated_kwargs.pop("config_schema")
        warnings.warn(
            "`config_schema` is deprecated and will be removed. Please use `context_schema` instead.",
            category=LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        context_schema = context_schema if context_schema is not None else config_schema
    if deprecated_kwargs:
        raise TypeError(f"create_react_agent() got unexpected keyword arguments: {deprecated_kwargs}")
    if version not in ("v1", "v2"):
        raise ValueError(f"Invalid version {version}. Supported versions are 'v1' and 'v2'.")
    if state_schema is not None:
        required = {"messages", "remaining_steps"} | (
            {"structured_response"} if response_format is not None else set()
        )
        if missing := required - set(get_type_hints(state_schema)):
            raise ValueError(f"Missing required key(s) {missing} in state_schema")
    else:
        state_schema = AgentStateWithStructuredResponse if response_format is not None else AgentState

    builtin: list[dict[str, Any]] = []
    if isinstance(tools, ToolNode):
        tool_node = tools
    else:
        builtin = [t for t in tools if isinstance(t, dict)]
        tool_node = ToolNode([t for t in tools if not isinstance(t, dict)])
    tool_classes = list(tool_node.tools_by_name.values())
    dynamic = not isinstance(model, str | Runnable) and callable(model)
    async_dynamic = dynamic and inspect.iscoroutinefunction(model)
    static_model: Runnable[Any, Any] | None = None
    if not dynamic:
        if isinstance(model, str):
            try:
                from langchain.chat_models import init_chat_model  # type: ignore[import-not-found]
            except ImportError:
                raise ImportError(
                    "Please install langchain (`pip install langchain`) to use '<provider>:<model>' string "
                    "syntax for `model` parameter."
                ) from None
            model = init_chat_model(model)
        if _should_bind_tools(model, tool_classes, num_builtin=len(builtin)) and (tool_classes or builtin):
            model = model.bind_tools([*tool_classes, *builtin])
        static_model = _prompt_runnable(prompt) | model
    return_direct = {t.name for t in tool_classes if t.return_direct}
    is_pydantic = isinstance(state_schema, type) and issubclass(state_schema, BaseModel)

    def resolve(state: Any, runtime: Runtime[Any]) -> Any:
        if async_dynamic:
            raise RuntimeError(
                "Async model callable provided but agent invoked synchronously. Use agent.ainvoke() or "
                "agent.astream(), or provide a sync model callable."
            )
        return _prompt_runnable(prompt) | model(state, runtime) if dynamic else static_model

    async def aresolve(state: Any, runtime: Runtime[Any]) -> Any:
        if async_dynamic:
            return _prompt_runnable(prompt) | await model(state, runtime)
        return _prompt_runnable(prompt) | model(state, runtime) if dynamic else static_model

    def needs_more_steps(state: Any, response: BaseMessage) -> bool:
        calls = response.tool_calls if isinstance(response, AIMessage) else []
        all_direct = isinstance(response, AIMessage) and all(c["name"] in return_direct for c in calls)
        remaining = _value(state, "remaining_steps", None)
        if remaining is None:
            return False
        return (remaining < 1 and all_direct) or (remaining < 2 and bool(calls))

    def model_input(state: Any) -> Any:
        messages = _value(state, "messages")
        expected = "'messages' key"
        if pre_model_hook is not None:
            messages = _value(state, "llm_input_messages") or messages
            expected = "'llm_input_messages' or 'messages' key"
        if messages is None:
            raise ValueError(f"Expected input to call_model to have {expected}, but got {state}")
        _validate_chat_history(messages)
        if is_pydantic:
            state.messages = messages
        else:
            state["messages"] = messages
        return state

    def answer(state: Any, response: AIMessage) -> dict[str, Any]:
        response.name = name
        if needs_more_steps(state, response):
            return {"messages": [AIMessage(id=response.id, content=_MORE_STEPS)]}
        return {"messages": [response]}

    def call_model(state: Any, runtime: Runtime[Any], config: RunnableConfig) -> Any:
        runnable = resolve(state, runtime)
        return answer(state, cast(AIMessage, runnable.invoke(model_input(state), config)))

    async def acall_model(state: Any, runtime: Runtime[Any], config: RunnableConfig) -> Any:
        runnable = await aresolve(state, runtime)
        return answer(state, cast(AIMessage, await runnable.ainvoke(model_input(state), config)))

    def structured_input(state: Any) -> tuple[list[Any], Any]:
        messages = list(_value(state, "messages"))
        schema = response_format
        if isinstance(response_format, tuple):
            system_prompt, schema = response_format
            messages = [SystemMessage(content=system_prompt), *messages]
        return messages, schema

    def structured(state: Any, runtime: Runtime[Any], config: RunnableConfig) -> Any:
        messages, schema = structured_input(state)
        bound = _chat_model(resolve(state, runtime)).with_structured_output(schema)
        return {"structured_response": bound.invoke(messages, config)}

    async def astructured(state: Any, runtime: Runtime[Any], config: RunnableConfig) -> Any:
        messages, schema = structured_input(state)
        bound = _chat_model(await aresolve(state, runtime)).with_structured_output(schema)
        return {"structured_response": await bound.ainvoke(messages, config)}

    input_schema = state_schema
    if pre_model_hook is not None:  # the agent node also reads llm_input_messages
        if is_pydantic:
            from pydantic import create_model

            input_schema = create_model(
                "CallModelInputSchema", llm_input_messages=(list[AnyMessage], ...), __base__=state_schema
            )
        else:

            class CallModelInputSchema(state_schema):  # type: ignore[misc]
                llm_input_messages: list[AnyMessage]

            input_schema = CallModelInputSchema

    workflow = StateGraph(state_schema, context_schema=context_schema)
    workflow.add_node("agent", _AgentStep("agent", call_model, acall_model), input_schema=input_schema)
    if tool_classes:  # LangGraph's node order, which the streams and drawings follow
        workflow.add_node("tools", tool_node)
    entry = "agent"
    if pre_model_hook is not None:
        workflow.add_node("pre_model_hook", pre_model_hook)
        workflow.add_edge("pre_model_hook", "agent")
        entry = "pre_model_hook"
    workflow.set_entry_point(entry)
    if post_model_hook is not None:
        workflow.add_node("post_model_hook", post_model_hook)
        workflow.add_edge("agent", "post_model_hook")
    if response_format is not None:
        workflow.add_node(
            "generate_structured_response",
            _AgentStep("generate_structured_response", structured, astructured),
        )
    compile_options: dict[str, Any] = {
        "checkpointer": checkpointer,
        "store": store,
        "interrupt_before": interrupt_before,
        "interrupt_after": interrupt_after,
        "debug": debug,
        "name": name,
    }
    if not tool_classes:  # no tools: model, hooks, structured answer, in a line
        if response_format is not None:
            last = "post_model_hook" if post_model_hook is not None else "agent"
            workflow.add_edge(last, "generate_structured_response")
        return workflow.compile(**compile_options)

    def sends(state: Any, calls: list[Any]) -> list[Send]:
        # the ToolCallWithContext payload: the call and the state it was made in
        return [
            Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
            for call in calls
        ]

    def after_model(state: Any) -> str | list[Send]:
        last = _value(state, "messages")[-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            if post_model_hook is not None:
                return "post_model_hook"
            return "generate_structured_response" if response_format is not None else END
        if version == "v1":
            return "tools"
        if post_model_hook is not None:
            return "post_model_hook"
        return sends(state, last.tool_calls)

    agent_paths: list[str] = ["post_model_hook" if post_model_hook is not None else "tools"]
    hook_paths: list[str] = [entry, "tools"]
    final = "generate_structured_response" if response_format is not None else END
    (hook_paths if post_model_hook is not None else agent_paths).append(final)

    if post_model_hook is not None:

        def after_post_hook(state: Any) -> str | list[Send]:
            messages = _value(state, "messages")
            answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
            last_ai = next(m for m in reversed(messages) if isinstance(m, AIMessage))
            pending = [c for c in last_ai.tool_calls if c["id"] not in answered]
            if pending:
                return sends(state, pending)
            if isinstance(messages[-1], ToolMessage):
                return entry
            return final

        workflow.add_conditional_edges("post_model_hook", after_post_hook, path_map=hook_paths)
    workflow.add_conditional_edges("agent", after_model, path_map=agent_paths)

    def after_tools(state: Any) -> str:
        message: Any = None
        for message in reversed(_value(state, "messages")):
            if not isinstance(message, ToolMessage):
                break
            if message.name in return_direct:
                return END
        # parallel calls sent one by one: the direct tool may have run in another task
        if isinstance(message, AIMessage) and any(c["name"] in return_direct for c in message.tool_calls):
            return END
        return entry

    if return_direct:
        workflow.add_conditional_edges("tools", after_tools, path_map=[entry, END])
    else:
        workflow.add_edge("tools", entry)
    return workflow.compile(**compile_options)


# the name LangGraph keeps for backward compatibility
create_tool_calling_executor = create_react_agent
