"""Node error handlers (``add_node(..., error_handler=...)``, ``set_node_defaults(error_handler=...)``).

LangGraph 1.2's semantics, pinned side by side in ``tests/test_node_error_handlers.py``:

* **When.** A task whose node has a handler and that still fails once its retry policy gives up is
  *handled*, if what it raised is an ``Exception`` other than a pause (``interrupt()``), a
  ``Command.PARENT`` hand-off or a stop. The step does not fail and the task's siblings keep
  running; right away, in the same step, a task of the handler node runs.
* **What it gets.** The failed task's input, and a ``NodeError(node, error)`` in a parameter
  ``error: NodeError``. Its task is ``__error_handler__<node>`` (``__default_error_handler__`` for the
  graph's default), triggered by ``__pregel_push``, on the failed task's path plus
  ``("node_error_handler", False)``; its checkpoint namespace nests in the failed task's
  (``bad:<id>|__error_handler__bad:<id>``), and so does the namespace of a graph it runs.
* **What it does.** It returns a state update or a ``Command``; its writes are applied with the
  step's, in the failed task's place. The handler node has no edges, and the failed node's are not
  followed: the graph ends there unless the handler's ``Command(goto=...)`` names where to go.
* **When it fails.** Handlers have no handlers: the run fails with the handler's error.
* **Events.** The failed task's ``TaskFinished`` carries its error, as an unhandled one would; then
  the handler's task runs and finishes. A handler started after its node failed publishes no
  ``TaskStarted``, as LangGraph's ``tasks``/``debug`` streams show no start for it; views see it
  from its ``TaskFinished`` on. One prepared by a resumed step has its ``TaskStarted``, after the
  step's other tasks', as LangGraph's streams show it.
* **On a thread.** The failed task is saved with an ``__error__`` and an ``__error_source_node__``
  write. A run that resumes that step (a sibling or the handler itself paused on ``interrupt()``)
  does not run the node again: it runs the handler again, afresh (LangGraph drops what the
  handler wrote before), and ``NodeError.error`` is then the error as the thread saved it (the
  saver keeps its text, which is what LangGraph hands the handler too).

A graph whose nodes have no handler pays nothing: handlers are looked up only for a task that failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbstream.errors import GraphBubbleUp, NodeError
from nbstream.graph._builder import DEFAULT_ERROR_HANDLER
from nbstream.runtime._task import PUSH, Task, task_segment

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph
    from nbstream.runtime.loop import Run

__all__ = ["ERROR_SOURCE_NODE", "handled", "handler_task", "link_error_handlers"]

#: the pending write that marks a failed task as handled (its value: the node's name), as LangGraph's
ERROR_SOURCE_NODE = "__error_source_node__"


def link_error_handlers(graph: CompiledStateGraph) -> None:
    """Point each node at the node that handles its failures: its own handler, else the default."""
    specs = graph.builder.nodes
    default = DEFAULT_ERROR_HANDLER if graph.builder._node_error_handler is not None else None
    for name, spec in specs.items():
        if spec.is_error_handler:
            continue
        handler = spec.error_handler or default
        if handler is not None:
            graph.nodes[name].error_handler = graph.nodes[handler]


def handled(task: Task) -> bool:
    """Whether ``task`` failed in a way its node's error handler takes over."""
    error = task.error
    return (
        task.node.error_handler is not None
        and isinstance(error, Exception)
        and not isinstance(error, GraphBubbleUp)
        and not task.cancelled
    )


def handler_task(run: Run, failed: Task, error: Any) -> Task:
    """The task of ``failed``'s error handler, to run in the current step."""
    handler = failed.node.error_handler
    assert handler is not None
    saving = run.saving
    failed_segment = task_segment(failed)
    # on a thread, LangGraph's id (a resumed step finds the handler's saved answers under it)
    task_id = (
        saving.handler_task_id(handler.name, failed_segment, failed.id)
        if saving is not None
        else run.root.new_id()
    )
    task = Task(
        task_id,
        handler,
        failed.input,
        (PUSH,),
        (*failed.path[:3], "node_error_handler", False),
        (*failed.order, 1),  # its writes go in the failed task's place
    )
    task.failure = (NodeError(failed.node.name, error), failed_segment)
    return task
