"""Errors nbstream raises, and the one warning it issues.

Hierarchy::

    Exception
    ├── GraphError                      every error about a graph or a run
    │   ├── GraphBuildError             ``StateGraph``/``compile()`` rejected the graph (names the node/edge)
    │   ├── InvalidUpdateError          a node wrote something state cannot take (names node, key, step)
    │   ├── EmptyInputError             ``None`` input: nothing to start from
    │   └── NodeInputError              a ``Send`` targets an unknown node, a router returned one
    ├── GraphRecursionError (also a RecursionError)   the recursion limit was hit
    ├── NotSupportedError (a NotImplementedError, also an AttributeError)
    │                                   a LangGraph parameter, method or name nbstream does not implement;
    │                                   the message names it and says what to do instead
    └── TypeError / ValueError          wrong input type, unknown stream mode (plain built-ins)

    Warning
    └── ObserverWarning                 an observer raised and was detached (see ``nbstream.bus``)

A node's own exception is never wrapped: it propagates unchanged, with a note (PEP 678) naming the
node and the step, so ``except ValueError`` in user code keeps working as with LangGraph.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GraphError",
    "GraphBuildError",
    "InvalidUpdateError",
    "EmptyInputError",
    "NodeInputError",
    "GraphRecursionError",
    "NotSupportedError",
    "GraphBubbleUp",
    "ParentCommand",
    "ObserverWarning",
]


class GraphError(Exception):
    """Base of the errors about a graph or a run."""


class GraphBuildError(GraphError, ValueError):
    """The graph cannot be built or compiled as described."""


class InvalidUpdateError(GraphError):
    """A node's write does not fit the state: unknown key, wrong type, or a write conflict."""


class EmptyInputError(GraphError):
    """The graph was given no input."""


class NodeInputError(GraphError):
    """A route or a ``Send`` names a node the graph does not have."""


class GraphRecursionError(GraphError, RecursionError):
    """The run needed more super-steps than the recursion limit allows."""


class NotSupportedError(NotImplementedError, AttributeError):
    """A LangGraph feature nbstream does not implement was asked for; the message names it.

    nbstream refuses such options loudly instead of ignoring them. It is an ``AttributeError`` too,
    so ``hasattr(graph, "get_state")`` stays ``False`` for a method nbstream does not have.
    """


class GraphBubbleUp(Exception):
    """Not an error: a signal that travels up from a node to an enclosing graph."""


class ParentCommand(GraphBubbleUp):
    """A subgraph node returned ``Command(graph=Command.PARENT, ...)``: the command goes to the
    graph that runs the subgraph. It escapes ``invoke`` only when there is no parent graph."""

    args: tuple[Any, ...]

    def __init__(self, command: Any) -> None:
        super().__init__(command)

    @property
    def command(self) -> Any:
        return self.args[0]


class ObserverWarning(RuntimeWarning):
    """An observer raised while handling an event and was detached for the rest of the run."""
