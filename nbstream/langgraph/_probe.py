"""What a LangGraph graph can stream, read from its nodes before it runs: which modes to ask for.

Asking LangGraph for ``subgraphs``, ``custom`` or ``messages`` switches its runner to concurrent
streaming (every task runs on a pool thread while the caller's thread waits on the stream), which
doubles the cost of a run of quick nodes. The watcher asks for each only when the graph can use it:

* ``subgraphs=True`` when a node is a graph, by LangGraph's own finding (``PregelNode.subgraphs``:
  a compiled graph given as a node, or one a node function refers to).
* ``custom`` when a node may write custom data. A node function may when its code, or the code
  of a function it refers to (globals, closures, defaults; a module's attributes it reads;
  nested functions; five calls deep), names ``get_stream_writer``, ``StreamWriter``, ``writer``,
  ``runtime`` or ``get_runtime``, or refers to a tool or a runnable this cannot look into. A
  node that is not a plain function (a ``ToolNode``, a chain, a model) may too.
* ``messages`` when a node may call a chat model: one that is not a plain function, or whose
  code refers to a language model (an instance, a class, ``init_chat_model``) or a runnable.
  When the watcher does not ask, a callback handler of LangGraph's messages mode hears the
  models the scan missed, so the view never loses their messages; they reach the view at once
  when the node runs in the caller's thread (one task in its step), else with the next part.

Custom data written by code this scan does not find is the one thing a view can miss: a
function reached only through an object's method, or through ``getattr``. The watcher then says
so in its docs (``docs/watch-langgraph.md``); ``nbstream.langgraph.stream(..., watch="all")``
asks for every mode.
"""

from __future__ import annotations

import sys
import types
import weakref
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

__all__ = ["GraphNeeds", "needs_of"]


class GraphNeeds(NamedTuple):
    """Which of the costly stream options a graph can use."""

    subgraphs: bool
    custom: bool
    messages: bool


_CUSTOM_NAMES = frozenset(
    {"get_stream_writer", "StreamWriter", "stream_writer", "writer", "runtime", "get_runtime"}
)
_MODEL_NAMES = frozenset({"init_chat_model", "BaseChatModel", "BaseLanguageModel"})
#: packages whose functions are not followed: they write no custom data and call no model
#: on their own (what a node passes them is scanned where it is named)
_LIBRARIES = frozenset({"langgraph", "langchain_core", "pydantic", "typing_extensions", "nbstream"})
_DEPTH = 5

_CACHE: weakref.WeakKeyDictionary[Any, GraphNeeds] = weakref.WeakKeyDictionary()


def needs_of(graph: Any) -> GraphNeeds:
    """What ``graph`` can stream (computed once per graph)."""
    found = _CACHE.get(graph)
    if found is None:
        found = GraphNeeds(
            subgraphs=any(_subgraphs(graph)),
            custom=_graph_may(graph, _CUSTOM_NAMES, _custom_object, set()),
            messages=_graph_may(graph, _MODEL_NAMES, _model_object, set()),
        )
        _CACHE[graph] = found
    return found


def _subgraphs(graph: Any) -> Iterator[Any]:
    for node in getattr(graph, "nodes", {}).values():
        yield from getattr(node, "subgraphs", None) or ()


# objects a node refers to: True (may), False (cannot), None (look into it if it is a function)


def _custom_object(value: Any) -> bool | None:
    from langchain_core.language_models import BaseLanguageModel
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

    if isinstance(value, BaseTool):
        return True  # tools may write custom data (get_stream_writer in a tool)
    if isinstance(value, BaseLanguageModel):
        return False
    if isinstance(value, Runnable) and not _is_graph(value) and _plain_function(value) is None:
        return True
    return None


def _model_object(value: Any) -> bool | None:
    from langchain_core.language_models import BaseLanguageModel
    from langchain_core.runnables import Runnable

    if isinstance(value, BaseLanguageModel) or (
        isinstance(value, type) and issubclass(value, BaseLanguageModel)
    ):
        return True
    if isinstance(value, Runnable) and not _is_graph(value) and _plain_function(value) is None:
        return True  # a chain, a tool, a binding: it may hold a model
    return None


def _is_graph(value: Any) -> bool:
    from langgraph.pregel import Pregel

    return isinstance(value, Pregel)


def _plain_function(value: Any) -> types.FunctionType | None:
    """The Python function a node or a referenced object runs, when it is just one."""
    from langgraph._internal._runnable import RunnableCallable

    if isinstance(value, types.FunctionType):
        return value
    if isinstance(value, types.MethodType) and isinstance(value.__func__, types.FunctionType):
        return value.__func__
    if type(value) is RunnableCallable:  # not a subclass: ToolNode is one, running its tools
        func = value.func if value.func is not None else value.afunc
        return _plain_function(func) if func is not None else None
    func = getattr(value, "func", None)  # an @task, a RunnableLambda-like wrapper
    if isinstance(func, types.FunctionType) and not isinstance(value, type):
        from langchain_core.runnables import Runnable

        return None if isinstance(value, Runnable) else func
    return None


def _graph_may(
    graph: Any, names: frozenset[str], judge: Callable[[Any], bool | None], seen: set[int]
) -> bool:
    if id(graph) in seen:
        return False
    seen.add(id(graph))
    for node in getattr(graph, "nodes", {}).values():
        for sub in getattr(node, "subgraphs", None) or ():
            if _graph_may(sub, names, judge, seen):
                return True
        bound = getattr(node, "bound", None)
        if bound is None or _is_graph(bound):
            continue
        accepts = getattr(bound, "func_accepts", None) or {}
        if names is _CUSTOM_NAMES and any(key in names for key in accepts):
            return True
        func = _plain_function(bound)
        if func is None:
            return True  # a node this cannot look into
        if _function_may(func, names, judge, seen, 0):
            return True
    return False


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    yield from code.co_varnames
    yield from code.co_freevars
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # a nested function, lambda or comprehension
            yield from _code_names(const)


def _function_may(
    func: types.FunctionType,
    names: frozenset[str],
    judge: Callable[[Any], bool | None],
    seen: set[int],
    depth: int,
) -> bool:
    if id(func) in seen:
        return False
    seen.add(id(func))
    if depth > _DEPTH:
        return True  # too deep to follow: assume it may
    used = set(_code_names(func.__code__))
    if used & names:
        return True
    referred: list[Any] = [cell.cell_contents for cell in func.__closure__ or () if _filled(cell)]
    referred += [*(func.__defaults__ or ()), *(func.__kwdefaults__ or {}).values()]
    scope = func.__globals__
    modules: list[types.ModuleType] = []
    for name in used:
        if name in scope:
            value = scope[name]
            (modules if isinstance(value, types.ModuleType) else referred).append(value)
    for module in modules:  # helpers called as module.helper()
        if not _library(getattr(module, "__name__", "")):
            referred += [getattr(module, name) for name in used if hasattr(module, name)]
    return any(_object_may(value, names, judge, seen, depth) for value in referred)


def _object_may(
    value: Any, names: frozenset[str], judge: Callable[[Any], bool | None], seen: set[int], depth: int
) -> bool:
    if getattr(value, "__name__", None) in names and callable(value):
        return True  # get_stream_writer imported under another name
    verdict = judge(value)
    if verdict is not None:
        return verdict
    if _is_graph(value):
        return _graph_may(value, names, judge, seen)
    func = _plain_function(value)
    if func is None or _library(func.__module__ or ""):
        return False
    return _function_may(func, names, judge, seen, depth + 1)


def _library(module: str) -> bool:
    top = module.partition(".")[0]
    return top in _LIBRARIES or top in sys.stdlib_module_names


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018  (an empty cell raises)
    except ValueError:
        return False
    return True
