"""The langchain-core ``Runnable`` face of a compiled graph, as LangGraph's ``Pregel`` has it.

``CompiledStateGraph`` subclasses :class:`RunnableGraph`, so a graph is a ``Runnable``: it pipes
(``graph | other``), binds (``with_config``, ``with_retry``, ``with_listeners``), batches
(``batch``, ``abatch``, ``batch_as_completed``, ``abatch_as_completed``), streams events
(``astream_events``, ``astream_log``) and describes itself (``get_name``, ``InputType``, the input,
output and context schemas). All of that is langchain-core's own code calling the graph's
``invoke``/``ainvoke``/``stream``/``astream``, which stay nbstream's: no ``Runnable`` machinery runs
on a graph's hot path. What this class adds are the schema answers LangGraph gives for a
``StateGraph``; callbacks (which ``astream_events`` and ``with_listeners`` rely on) are
``nbstream.runtime._tracing``'s.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable
from pydantic import BaseModel, TypeAdapter
from typing_extensions import is_typeddict

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from nbstream.graph._builder import StateGraph
    from nbstream.graph._state import SchemaInfo

__all__ = ["RunnableGraph"]


class RunnableGraph(Runnable[Any, Any]):
    """Mixed into ``CompiledStateGraph``: makes it a langchain-core ``Runnable``."""

    builder: StateGraph
    input_info: SchemaInfo
    output_info: SchemaInfo

    name: str

    @property
    def InputType(self) -> Any:
        """The input schema (``input_schema=``, else the state schema), as LangGraph gives it."""
        return self.input_info.schema

    @property
    def OutputType(self) -> Any:
        """``None``, as LangGraph's (its output is several channels, not one type)."""
        return None

    def get_output_schema(self, config: RunnableConfig | None = None) -> type[BaseModel]:
        """A pydantic model named ``<name>Output`` with one optional field per output key."""
        from langchain_core.utils.pydantic import create_model_v2

        hints = _hints(self.output_info.schema)
        fields = {key: (hints.get(key, Any), None) for key in self.output_info.keys}
        return create_model_v2(self.get_name("Output"), field_definitions=fields)

    def get_input_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The input schema's JSON schema, as LangGraph makes it."""
        return _json_schema(self.input_info.schema, self.get_name("Input"))

    def get_output_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The output schema's JSON schema, as LangGraph makes it."""
        return _json_schema(self.output_info.schema, self.get_name("Output"))

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON schema of ``context_schema=``, or ``None`` when the graph has none."""
        schema = self.builder.context_schema
        if schema is None:
            return None
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_json_schema()
        if is_typeddict(schema) or dataclasses.is_dataclass(schema):
            return TypeAdapter(schema).json_schema()
        raise ValueError(f"context_schema {schema!r} must be a pydantic model, a TypedDict or a dataclass")


def _hints(schema: Any) -> dict[str, Any]:
    """A schema's field types without ``Annotated`` reducers."""
    try:
        hints = typing.get_type_hints(schema)
    except Exception:
        return {}
    return {
        k: typing.get_args(v)[0] if typing.get_origin(v) is typing.Annotated else v for k, v in hints.items()
    }


def _json_schema(schema: Any, name: str) -> dict[str, Any]:
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if is_typeddict(schema):
        return TypeAdapter(schema).json_schema()
    # a dataclass: LangGraph builds a model of its fields, named after the graph
    from langchain_core.utils.pydantic import create_model_v2

    hints = _hints(schema)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(schema):
        if field.default is not dataclasses.MISSING:
            default: Any = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = None
        fields[field.name] = (hints.get(field.name, Any), default)
    return create_model_v2(name, field_definitions=fields).model_json_schema()
