"""Random graph *descriptions* for the differential test, and the one builder for both libraries.

A description (:class:`Case`) is plain, frozen data: a program of blocks (chains, fan-out/fan-in
joins, deferred joins, conditional branches, loops, ``Send`` map steps, nested subgraphs added as
nodes or invoked inside a node, subgraphs left with ``Command(graph=Command.PARENT)``) made of node
specs that say what each node writes, how many custom events it emits, whether it is async, whether
it raises, fails a few times under a ``RetryPolicy``, reads or writes a private schema, or reads the
run context. Graphs may declare ``input_schema``/``output_schema``, a ``context_schema`` (every
call then passes ``context=``) and managed keys (``RemainingSteps``/``IsLastStep``, read by loop
routes). :func:`cases` is the hypothesis strategy that draws them.

:func:`render` turns a description into the source of a standalone Python module that builds the
graph; the only line that differs between LangGraph and nbstream is the import block, which is the
"port by changing the import line" promise checked literally. :func:`build` executes that source.
The same source doubles as the reproducer printed when the differential test fails.

Every node is deterministic and cheap: what it writes and emits depends only on its input. Nodes
carry enough in their output to tell which task and which step produced a chunk (the differential
test relies on this to compare streams whose order is legitimately free, see ``_diffcanon``):

* ``clock`` is a max-reducer key; every writing node writes ``clock = input clock + 1``, so tasks of
  one step share an input clock and later steps see a larger one;
* every ``log`` entry is ``"<node>@<input clock>"`` (``"<worker>[<send index>]@<clock>"`` for
  ``Send`` workers); custom events are ``{"node", "i", "clock"[, "idx"]}`` dicts.

Node names encode their kind (the canonicaliser reads it): ``n*`` plain node, ``r*`` router,
``w*`` ``Send`` worker, ``s*`` subgraph node, ``c*`` node that invokes a subgraph in its body, ``j*``
join. State keys: ``log`` (list, ``operator.add``), ``clock`` (int, max), ``x`` (int, plain), ``y``
(str, plain).

Restrictions that keep every stream's legitimate freedom confined to "concurrent tasks of one step
interleave" (the generator never produces anything else):

* a node that raises is *solo* (nothing else runs in its step) at its level and at every enclosing
  level, because when a task fails LangGraph lets running siblings finish (sync) or cancels them
  (async), a timing race the streams would show. A node leaving its subgraph with
  ``Command.PARENT`` is solo for the same reason (it stops its subgraph like an error);
* a flaky node's failures are deterministic: it counts its tries per (node, input clock[, send
  index]) and fails while the count is not a multiple of failures + 1, so every run of the program
  sees the same failures; a retried failure stays inside its task, so flaky nodes may be concurrent;
* a router never fails (a failing router is a documented difference): a loop route that reads a
  managed key never follows a node reading ``Private`` (a route reads what its source node reads);
* in a subgraph that runs concurrently with siblings, nothing writes plain keys from a concurrent
  position and no subgraph sits in a concurrent position (so no conflict error can race either);
* no node writes a key the state lacks, no unknown or tuple stream modes: documented differences
  (see ``test_differential.py``), covered by hand-written tests instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "Node",
    "Sub",
    "Invoke",
    "Jump",
    "Single",
    "Fan",
    "Branch",
    "Loop",
    "Map",
    "Program",
    "Case",
    "cases",
    "concurrent_subgraph",
    "render",
    "build",
    "reproducer",
    "LIB_IMPORTS",
    "Ask",
    "ThreadCase",
    "thread_cases",
    "render_thread",
    "build_thread",
]

#: the one thing that differs between the two libraries: where the names come from
LIB_IMPORTS = {
    "langgraph": (
        "from langgraph.config import get_stream_writer\n"
        "from langgraph.graph import END, START, StateGraph\n"
        "from langgraph.managed import IsLastStep, RemainingSteps\n"
        "from langgraph.runtime import Runtime\n"
        "from langgraph.types import Command, RetryPolicy, Send\n"
    ),
    "nbstream": (
        "from nbstream.config import get_stream_writer\n"
        "from nbstream.graph import END, START, StateGraph\n"
        "from nbstream.managed import IsLastStep, RemainingSteps\n"
        "from nbstream.runtime import Runtime\n"
        "from nbstream.types import Command, RetryPolicy, Send\n"
    ),
}


# --------------------------------------------------------------------------------------------------
# descriptions


@dataclass(frozen=True)
class Node:
    """One node function.

    ``ret``: ``"write"`` returns a dict, ``"command"`` a ``Command(update=...)`` (routers add
    ``goto``), ``"pairs"`` a ``Command`` whose update is ``(key, value)`` pairs writing ``log`` twice,
    ``"multi"`` a list of two ``Command``s, ``"none"``/``"empty"`` return ``None``/``{}`` (a "quiet"
    node: it writes nothing). ``raises``: raise ``Boom`` ``"before"``/``"after"`` its custom
    events, or return an invalid value after them: ``"return"`` 42, ``"pairs"`` a bare list of
    ``(key, value)`` pairs; ``None``: it does not fail.
    """

    name: str
    aio: bool = False
    customs: int = 0
    writer: str = "get"  # "get": get_stream_writer(); "param": injected ``writer`` parameter
    ret: str = "write"
    logs: bool = True
    plain: tuple[str, ...] = ()
    raises: str | None = None
    meta: bool = False  # added with ``metadata={"owner": name}`` (shows in tasks/debug start events)
    # private state: "emit" annotated ``-> Private``, also writes the private key ``p``; "hint" its
    # first parameter is ``state: Private``; "schema" added with ``input_schema=Private`` (readers
    # log the ``p`` they saw)
    private: str | None = None
    ctx: bool = False  # takes ``runtime: Runtime[Ctx]`` and logs ``runtime.context.tag``
    retries: int = 0  # fails that many times with ``Flaky`` (under a RetryPolicy) before succeeding
    flaky: str = "before"  # the failed tries raise "before"/"after" their custom events
    escape: str | None = None  # returns ``Command(graph=Command.PARENT, goto=escape, update=...)``


@dataclass(frozen=True)
class Sub:
    """A compiled subgraph (same state schema) added as the node ``name``."""

    name: str
    program: Program


@dataclass(frozen=True)
class Jump:
    """A subgraph node ``sub`` whose program ends with a node returning
    ``Command(graph=Command.PARENT, goto=target.name)``: the parent goes on at ``target`` (``sub``
    has no edge of its own). Only generated where ``sub`` runs alone in its step at every level."""

    sub: Sub
    target: Node


@dataclass(frozen=True)
class Invoke:
    """A node ``name`` whose function calls a compiled subgraph ``times`` times (``invoke``, or
    ``ainvoke`` when ``aio``), each call on the previous call's output, and returns the last output.
    LangGraph streams such a graph in the calling task's namespace, a second call in ``(..., "1")``."""

    name: str
    program: Program
    times: int = 1
    aio: bool = False


Elem = Node | Sub | Invoke


@dataclass(frozen=True)
class Single:
    elem: Elem


@dataclass(frozen=True)
class Fan:
    """Parallel chains from the previous block, joined into ``join``.

    ``barrier``: one multi-source edge ``add_edge([ends...], join)`` (waits for all chains);
    otherwise one edge per chain end (only generated when all chains have the same length, so the
    join runs once).
    """

    branches: tuple[tuple[Elem, ...], ...]
    join: Node
    barrier: bool
    defer: bool = False  # the join is added with ``defer=True`` and one edge per chain end (any lengths)


@dataclass(frozen=True)
class Branch:
    """``router`` picks one chain from the state: via a conditional edge, or a ``Command(goto=...)``."""

    router: Node
    branches: tuple[tuple[Elem, ...], ...]
    salt: int
    via: str  # "edge" | "command"
    hint: bool = False  # annotate the route: ``-> Literal[...]`` / ``-> Command[Literal[...]]``


@dataclass(frozen=True)
class Loop:
    """``body`` runs, then a conditional edge goes back to its start until its last node logged
    ``times`` entries."""

    body: tuple[Elem, ...]
    times: int
    hint: bool = False  # ``-> Literal[...]`` on the loop's route (when it has one destination after)
    # the route also leaves early when the managed value says the run is about to hit its
    # recursion limit: "remaining" (``remaining_steps <= 2``) or "last" (``is_last_step``)
    managed: str | None = None


@dataclass(frozen=True)
class Map:
    """``router`` sends ``k`` packets to ``worker`` (``Send``), via a conditional edge or a ``Command``."""

    router: Node
    worker: Node
    k: int
    via: str
    hint: bool = False  # ``-> Command[Literal[worker]]`` on a Command router (else ``-> Command``)


Block = Single | Fan | Branch | Loop | Map | Jump


@dataclass(frozen=True)
class Program:
    blocks: tuple[Block, ...]
    schemas: bool = False  # built as ``StateGraph(State, input_schema=In, output_schema=Out)``


@dataclass(frozen=True)
class Case:
    """A program, its input, and the ``Ctx(tag=context)`` every call passes (``None``: no context;
    then no node reads ``runtime.context`` and no graph declares a ``context_schema``)."""

    program: Program
    input: dict[str, Any] = field(default_factory=dict)
    context: str | None = None


# --------------------------------------------------------------------------------------------------
# the strategy

_INPUTS = ({"log": ["in"]}, {}, {"log": ["in"], "clock": 5}, {"x": 1}, {"y": "in", "log": []})
MAX_DEPTH = 2  # root graph plus two levels of nested subgraphs


@st.composite
def _nodes(
    draw: st.DrawFn, names: Iterator[int], prefix: str, *, plain_ok: bool, must_write: bool = False
) -> Node:
    name = f"{prefix}{next(names)}"
    ret = (
        "write"
        if must_write
        else draw(st.sampled_from(["write", "command", "write", "none", "empty", "pairs", "multi"]))
    )
    writes = ret not in ("none", "empty")
    private: str | None = None
    if prefix != "w":
        private = draw(st.sampled_from([None, None, None, None, None, "emit", "hint", "schema"]))
        # only a plain dict return is annotated ``-> Private``; ``p`` is a plain key (see plain_ok)
        if private == "emit" and not (ret == "write" and prefix in ("n", "j") and plain_ok):
            private = None
    retries = draw(st.sampled_from([0, 0, 0, 0, 0, 1, 2]))
    return Node(
        name=name,
        aio=draw(st.booleans()),
        customs=draw(st.integers(0, 2)),
        writer=draw(st.sampled_from(["get", "param"])),
        ret=ret,
        logs=True if must_write else (writes and draw(st.booleans())),
        plain=draw(st.sampled_from([(), ("x",), ("y",), ("x", "y")])) if writes and plain_ok else (),
        meta=draw(st.booleans()),
        private=private,
        ctx=draw(st.integers(0, 4)) == 0,
        retries=retries,
        flaky=draw(st.sampled_from(["before", "after"])) if retries else "before",
    )


@st.composite
def _elems(draw: st.DrawFn, names: Iterator[int], depth: int, *, solo: bool, anc_solo: bool) -> Elem:
    # a subgraph in a concurrent position only where its conflicts cannot race (see module doc)
    sub_ok = depth < MAX_DEPTH and (solo or anc_solo)
    if sub_ok and draw(st.integers(0, 4)) == 0:
        if draw(st.booleans()):
            name = f"s{next(names)}"
            return Sub(name, draw(_programs(names, depth + 1, anc_solo=anc_solo and solo, max_blocks=2)))
        name = f"c{next(names)}"
        program = draw(_programs(names, depth + 1, anc_solo=anc_solo and solo, max_blocks=2))
        return Invoke(name, program, draw(st.integers(1, 2)), draw(st.booleans()))
    return draw(_nodes(names, "n", plain_ok=solo or anc_solo))


@st.composite
def _chains(
    draw: st.DrawFn, names: Iterator[int], depth: int, length: int, *, solo: bool, anc_solo: bool
) -> tuple[Elem, ...]:
    return tuple(draw(_elems(names, depth, solo=solo, anc_solo=anc_solo)) for _ in range(length))


@st.composite
def _blocks(draw: st.DrawFn, names: Iterator[int], depth: int, anc_solo: bool) -> Block:
    kinds = ["single", "fan", "branch", "loop", "map"]
    if depth < MAX_DEPTH and anc_solo:  # the escaping node must run alone at every level (a raise)
        kinds.append("jump")
    kind = draw(st.sampled_from(kinds))
    if kind == "single":
        return Single(draw(_elems(names, depth, solo=True, anc_solo=anc_solo)))
    if kind == "fan":
        lengths = draw(st.lists(st.integers(1, 2), min_size=2, max_size=3))
        branches = tuple(draw(_chains(names, depth, n, solo=False, anc_solo=anc_solo)) for n in lengths)
        defer = draw(st.integers(0, 3)) == 0
        barrier = not defer and (len(set(lengths)) > 1 or draw(st.booleans()))
        join = draw(_nodes(names, "j", plain_ok=True))
        return Fan(branches, join, barrier, defer)
    if kind == "branch":
        via = draw(st.sampled_from(["edge", "command"]))
        router = draw(_nodes(names, "r", plain_ok=True))
        count = draw(st.integers(2, 3))
        branches = tuple(
            draw(_chains(names, depth, draw(st.integers(1, 2)), solo=True, anc_solo=anc_solo))
            for _ in range(count)
        )
        return Branch(router, branches, draw(st.integers(0, 2)), via, draw(st.booleans()))
    if kind == "loop":
        body = draw(_chains(names, depth, draw(st.integers(0, 1)), solo=True, anc_solo=anc_solo))
        last = draw(_nodes(names, "n", plain_ok=True, must_write=True))
        managed = draw(st.sampled_from([None, None, "remaining", "last"]))
        if managed and last.private in ("hint", "schema"):
            # the route reads what its source node reads: Private has no managed keys (KeyError, and a
            # failing router is a known difference, see test_differential.py)
            last = replace(last, private=None)
        return Loop((*body, last), draw(st.integers(1, 2)), draw(st.booleans()), managed)
    if kind == "jump":
        name = f"s{next(names)}"
        before = draw(_programs(names, depth + 1, anc_solo=True, max_blocks=1))
        escaper_name = next(names)
        target = draw(_nodes(names, "t", plain_ok=True))
        escaper = replace(
            draw(_nodes(iter([escaper_name]), "e", plain_ok=True, must_write=True)),
            private=None,
            escape=target.name,
        )
        program = replace(before, blocks=(*before.blocks, Single(escaper)))
        return Jump(Sub(name, program), target)
    via = draw(st.sampled_from(["edge", "command"]))
    router = draw(_nodes(names, "r", plain_ok=True))
    if via == "command" and router.ret in ("none", "empty"):
        router = replace(router, ret="command")
    k = draw(st.integers(1, 3))
    worker = draw(_nodes(names, "w", plain_ok=k == 1 or anc_solo, must_write=True))
    return Map(router, worker, k, via, draw(st.booleans()))


@st.composite
def _programs(
    draw: st.DrawFn, names: Iterator[int], depth: int, *, anc_solo: bool, max_blocks: int
) -> Program:
    count = draw(st.integers(1, max_blocks))
    blocks = tuple(draw(_blocks(names, depth, anc_solo)) for _ in range(count))
    return _with_private_reader(Program(blocks, draw(st.integers(0, 4)) == 0))


def _with_private_reader(program: Program) -> Program:
    """A graph whose nodes write ``p`` (``-> Private``) also reads it through a node's input schema.

    LangGraph makes channels of input schemas only: with no reader, it drops the writes to ``p``
    silently, while nbstream keeps what the return hint declares (a documented difference, pinned
    in ``test_differential.py``). The first plain node that is not a writer becomes the reader; if
    there is none, the writers lose their hint.
    """
    own = [e for b in program.blocks for e in _elems_of(b) if isinstance(e, Node)]
    if not any(n.private == "emit" for n in own) or any(n.private in ("hint", "schema") for n in own):
        return program
    managed_routes = {b.body[-1].name for b in program.blocks if isinstance(b, Loop) and b.managed}
    reader = next(
        (
            n.name
            for n in own
            if n.private is None and not n.name.startswith(("w", "e")) and n.name not in managed_routes
        ),
        None,
    )

    def fix(n: Node) -> Node:
        if reader is None and n.private == "emit":
            return replace(n, private=None)
        return replace(n, private="hint") if n.name == reader else n

    return _map_nodes(program, fix)


def _raise_candidates(program: Program, anc_solo: bool = True) -> list[str]:
    """Names of nodes that run alone in their step at every level (where raising is deterministic)."""
    found: list[str] = []

    def elem(e: Elem, solo: bool) -> None:
        if isinstance(e, Sub | Invoke):
            if solo and anc_solo:
                found.extend(_raise_candidates(e.program, True))
        elif solo and anc_solo:
            found.append(e.name)

    for block in program.blocks:
        if isinstance(block, Single):
            elem(block.elem, True)
        elif isinstance(block, Fan):
            elem(block.join, True)
        elif isinstance(block, Branch):
            elem(block.router, True)
            for chain in block.branches:
                for e in chain:
                    elem(e, True)
        elif isinstance(block, Loop):
            for e in block.body:
                elem(e, True)
        elif isinstance(block, Jump):
            elem(block.sub, True)
            elem(block.target, True)
        else:
            elem(block.router, True)
            elem(block.worker, block.k == 1)
    return found


def _elems_of(block: Block) -> list[Elem]:
    """Every element a block holds directly (routers, joins, chain members, a jump's subgraph)."""
    if isinstance(block, Single):
        return [block.elem]
    if isinstance(block, Fan):
        return [*(e for chain in block.branches for e in chain), block.join]
    if isinstance(block, Branch):
        return [block.router, *(e for chain in block.branches for e in chain)]
    if isinstance(block, Loop):
        return list(block.body)
    if isinstance(block, Jump):
        return [block.sub, block.target]
    return [block.router, block.worker]


def walk_nodes(program: Program) -> Iterator[Node]:
    """Every node function of the program, subgraphs included."""
    for block in program.blocks:
        for e in _elems_of(block):
            if isinstance(e, Sub | Invoke):
                yield from walk_nodes(e.program)
            else:
                yield e


def walk_blocks(program: Program) -> Iterator[Block]:
    """Every block of the program, subgraphs included."""
    for block in program.blocks:
        yield block
        for e in _elems_of(block):
            if isinstance(e, Sub | Invoke):
                yield from walk_blocks(e.program)


def concurrent_subgraph(program: Program) -> bool:
    """Whether some subgraph (at any depth) runs concurrently with other tasks of its step. A recursion
    limit hit inside such a subgraph would fail one task among running siblings: a race, as for raising."""

    def inner(e: Elem) -> bool:
        return isinstance(e, Sub | Invoke) and concurrent_subgraph(e.program)

    for block in program.blocks:
        if isinstance(block, Fan):
            if any(isinstance(e, Sub | Invoke) for chain in block.branches for e in chain):
                return True
            elems: list[Elem] = [e for chain in block.branches for e in chain]
        elif isinstance(block, Single):
            elems = [block.elem]
        elif isinstance(block, Branch):
            elems = [e for chain in block.branches for e in chain]
        elif isinstance(block, Loop):
            elems = list(block.body)
        elif isinstance(block, Jump):
            elems = [block.sub]
        else:
            elems = []
        if any(inner(e) for e in elems):
            return True
    return False


def _map_nodes(program: Program, fn: Callable[[Node], Node]) -> Program:
    """The program with ``fn`` applied to the node functions of this graph (not of its subgraphs)."""

    def chain(c: tuple[Elem, ...]) -> tuple[Elem, ...]:
        return tuple(fn(e) if isinstance(e, Node) else e for e in c)

    blocks: list[Block] = []
    for b in program.blocks:
        if isinstance(b, Single):
            blocks.append(Single(chain((b.elem,))[0]))
        elif isinstance(b, Fan):
            blocks.append(replace(b, branches=tuple(chain(c) for c in b.branches), join=fn(b.join)))
        elif isinstance(b, Branch):
            blocks.append(replace(b, router=fn(b.router), branches=tuple(chain(c) for c in b.branches)))
        elif isinstance(b, Loop):
            blocks.append(replace(b, body=chain(b.body)))
        elif isinstance(b, Jump):
            blocks.append(replace(b, target=fn(b.target)))
        else:
            blocks.append(replace(b, router=fn(b.router), worker=fn(b.worker)))
    return replace(program, blocks=tuple(blocks))


def _map_programs(program: Program, fn: Callable[[Program], Program]) -> Program:
    """The program with ``fn`` applied to each of its subgraphs' programs, then to itself."""

    def elem(e: Elem) -> Elem:
        return replace(e, program=_map_programs(e.program, fn)) if isinstance(e, Sub | Invoke) else e

    def chain(c: tuple[Elem, ...]) -> tuple[Elem, ...]:
        return tuple(elem(e) for e in c)

    blocks: list[Block] = []
    for b in program.blocks:
        if isinstance(b, Single):
            blocks.append(Single(elem(b.elem)))
        elif isinstance(b, Fan | Branch):
            blocks.append(replace(b, branches=tuple(chain(c) for c in b.branches)))
        elif isinstance(b, Loop):
            blocks.append(replace(b, body=chain(b.body)))
        elif isinstance(b, Jump):
            sub = elem(b.sub)
            assert isinstance(sub, Sub)
            blocks.append(replace(b, sub=sub))
        else:
            blocks.append(b)
    return fn(replace(program, blocks=tuple(blocks)))


def _set_raise(program: Program, name: str, when: str) -> Program:
    def node(n: Node) -> Node:
        return replace(n, raises=when) if n.name == name else n

    return _map_programs(program, lambda p: _map_nodes(p, node))


@st.composite
def cases(draw: st.DrawFn, max_blocks: int = 4) -> Case:
    """A random graph description plus its input (and the run context, when a node reads it)."""
    names = itertools.count(1)
    program = draw(_programs(names, 0, anc_solo=True, max_blocks=max_blocks))
    candidates = _raise_candidates(program)
    if candidates and draw(st.integers(0, 3)) == 0:
        program = _set_raise(
            program,
            draw(st.sampled_from(candidates)),
            draw(st.sampled_from(["before", "after", "return", "pairs"])),
        )
    reads_context = any(n.ctx for n in walk_nodes(program))
    context = draw(st.sampled_from(["t1", "t2"])) if reads_context or draw(st.booleans()) else None
    return Case(program, dict(draw(st.sampled_from(_INPUTS))), context)


# --------------------------------------------------------------------------------------------------
# rendering to source


_PRELUDE = '''\
import asyncio
import operator
from dataclasses import dataclass
from typing import Annotated, Literal, TypedDict

{imports}

class Boom(Exception):
    """The exception a raising node raises."""


class Flaky(Exception):
    """The exception a node under a RetryPolicy raises on its failed tries."""


#: tries per (node, input clock[, send index]): a flaky node fails while its count is not a multiple
#: of (failures + 1), so every run (and every rerun of the program) sees the same failures
TRIES = {{}}


def tried(key, failures):
    TRIES[key] = TRIES.get(key, 0) + 1
    return TRIES[key] % (failures + 1) != 0


def later(a, b):
    return max(a, b)


class State(TypedDict, total=False):
    log: Annotated[list, operator.add]
    clock: Annotated[int, later]
    x: int
    y: str
{managed}

class Private(TypedDict, total=False):
    log: Annotated[list, operator.add]
    clock: Annotated[int, later]
    p: int


class In(TypedDict, total=False):
    log: Annotated[list, operator.add]
    clock: Annotated[int, later]
    y: str


class Out(TypedDict, total=False):
    log: Annotated[list, operator.add]
    clock: Annotated[int, later]
    x: int


@dataclass
class Ctx:
    tag: str

'''

_MANAGED = "    remaining_steps: RemainingSteps\n    is_last_step: IsLastStep\n"


def _entries(block: Block) -> list[str]:
    if isinstance(block, Single):
        return [block.elem.name]
    if isinstance(block, Jump):
        return [block.sub.name]
    if isinstance(block, Fan):
        return [chain[0].name for chain in block.branches]
    if isinstance(block, Loop):
        return [block.body[0].name]
    return [block.router.name]


class _Renderer:
    def __init__(self, aio: bool, context: bool) -> None:
        self.aio = aio
        self.context = context  # every graph declares ``context_schema=Ctx``
        self.defs: list[str] = []

    # node functions ------------------------------------------------------------------------------

    def node(
        self, n: Node, *, goto: str | None = None, send: tuple[str, int] | None = None, targets: str = ""
    ) -> None:
        """Emit ``def <name>``. ``goto`` is an expression for a Command router's destination, ``send``
        a ``(worker, k)`` fan-out; ``targets`` (``"Literal[...]"``) details the return annotation."""
        worker = n.name.startswith("w")
        is_async = self.aio and n.aio
        params = "arg" if worker else ("state: Private" if n.private == "hint" else "state")
        if n.writer == "param":
            params += ", writer"
        if n.ctx:
            params += ", runtime: Runtime[Ctx]"
        # a node that routes with Command(goto=...) declares it, so compile() can see what it reaches
        # (nbstream's compile() needs that; LangGraph only uses it to draw the graph)
        returns = ""
        if goto is not None or send is not None:
            returns = f" -> Command[{targets}]" if targets else " -> Command"
        elif n.private == "emit":
            returns = " -> Private"
        lines = [f"{'async def' if is_async else 'def'} {n.name}({params}){returns}:"]
        src = "arg" if worker else "state"
        lines.append(f"    c = {src}['clock']")
        if worker:
            lines.append("    idx = arg['idx']")
        suffix = ""  # what the node read besides the clock, shown in its log entry
        if n.private in ("hint", "schema"):
            lines.append("    p = state.get('p')")
            suffix += ":p{p}"
        if n.ctx:
            suffix += ":{runtime.context.tag}"
        if n.customs and n.writer == "get":
            lines.append("    writer = get_stream_writer()")
        if n.retries:
            key = f"('{n.name}', c, idx)" if worker else f"('{n.name}', c)"
            lines.append(f"    failing = tried({key}, {n.retries})")
        flaky = f"        raise Flaky('flaky {n.name}')"
        if n.retries and n.flaky == "before":
            lines += ["    if failing:", flaky]
        if n.raises == "before":
            lines.append(f"    raise Boom('boom in {n.name}')")
        for i in range(n.customs):
            extra = ", 'idx': idx" if worker else ""
            lines.append(f"    writer({{'node': '{n.name}', 'i': {i}, 'clock': c{extra}}})")
            if is_async:
                lines.append("    await asyncio.sleep(0)")
        if n.retries and n.flaky == "after":
            lines += ["    if failing:", flaky]
        if n.raises == "after":
            lines.append(f"    raise Boom('boom in {n.name}')")
        pairs: list[tuple[str, str]] = []  # (key, value expression) the node writes
        if n.ret not in ("none", "empty"):
            pairs.append(("clock", "c + 1"))
            if n.logs:
                tag = f"{n.name}[{{idx}}]" if worker else n.name
                pairs.append(("log", f"[f'{tag}@{{c}}{suffix}']"))
            if "x" in n.plain:
                pairs.append(("x", f"c * 10 + {len(n.name)}"))
            if "y" in n.plain:
                pairs.append(("y", f"'{n.name}'"))
            if n.private == "emit":
                pairs.append(("p", f"c * 100 + {len(n.name)}"))
        as_dict = "{" + ", ".join(f"'{k}': {v}" for k, v in pairs) + "}"
        again = f"{{'log': [f'{n.name}+@{{c}}']}}"  # a second write to log, for "pairs"/"multi"
        if n.ret == "pairs":  # (key, value) pairs, log written twice
            listed = [*pairs, ("log", f"[f'{n.name}+@{{c}}']")]
            update = "[" + ", ".join(f"('{k}', {v})" for k, v in listed) + "]"
        elif pairs:
            update = as_dict
        else:
            update = "{}" if n.ret == "empty" else "None"
        if n.raises == "return":  # not a valid node return: the run fails with InvalidUpdateError
            lines.append("    return 42")
        elif n.raises == "pairs":  # (key, value) pairs are an update only inside a Command: invalid too
            lines.append(f"    return [('log', [f'{n.name}@{{c}}'])]")
        elif n.escape is not None:  # leave the subgraph: the parent applies the update and goes on
            lines.append(f"    return Command(graph=Command.PARENT, goto='{n.escape}', update={update})")
        elif goto is not None or send is not None:
            if send is not None:
                target, k = send
                goto = f"[Send('{target}', {{'idx': i, 'clock': c}}) for i in range({k})]"
            lines.append(f"    return Command(update={update if pairs else 'None'}, goto={goto})")
        elif n.ret in ("command", "pairs"):
            lines.append(f"    return Command(update={update})")
        elif n.ret == "multi":
            lines.append(f"    return [Command(update={as_dict}), Command(update={again})]")
        else:
            lines.append(f"    return {update}")
        self.defs.append("\n".join(lines) + "\n")

    def elem(self, e: Elem) -> None:
        if isinstance(e, Sub):
            self.graph(e.program, f"{e.name}_graph")
        elif isinstance(e, Invoke):
            is_async = self.aio and e.aio
            outer, self.aio = self.aio, is_async  # a sync invoke() cannot run coroutine nodes
            self.graph(e.program, f"{e.name}_graph")
            self.aio = outer
            call = f"await {e.name}_graph.ainvoke" if is_async else f"{e.name}_graph.invoke"
            lines = [f"{'async def' if is_async else 'def'} {e.name}(state):", f"    out = {call}(state)"]
            lines += [f"    out = {call}(out)"] * (e.times - 1)
            self.defs.append("\n".join([*lines, "    return out"]) + "\n")
        else:
            self.node(e)

    # graphs --------------------------------------------------------------------------------------

    def graph(self, program: Program, var: str) -> None:
        """Emit functions for every node, then the builder statements assigning ``var``."""
        options = ", input_schema=In, output_schema=Out" if program.schemas else ""
        options += ", context_schema=Ctx" if self.context else ""
        nodes: list[str] = [f"{var} = StateGraph(State{options})"]
        body: list[str] = []
        blocks = program.blocks

        def add(e: Elem, *, defer: bool = False) -> None:
            target = f"{e.name}_graph" if isinstance(e, Sub) else e.name
            extra = ""
            if isinstance(e, Node):
                extra += f", metadata={{'owner': '{e.name}'}}" if e.meta else ""
                extra += ", input_schema=Private" if e.private == "schema" else ""
                if e.retries:
                    extra += (
                        f", retry_policy=RetryPolicy(max_attempts={e.retries + 1}, initial_interval=0.0001,"
                        " jitter=False, retry_on=Flaky)"
                    )
            extra += ", defer=True" if defer else ""
            nodes.append(f"{var}.add_node('{e.name}', {target}{extra})")

        def edge(a: str, b: str) -> None:
            body.append(f"{var}.add_edge({a}, {b})")

        def chain_edges(chain: tuple[Elem, ...]) -> None:
            for a, b in itertools.pairwise(chain):
                edge(repr(a.name), repr(b.name))

        def ends_to(exits: list[str], nxt: list[str]) -> None:
            for x in exits:
                for y in nxt:
                    edge(repr(x), y)

        for i, b in enumerate(blocks):
            nxt = [repr(n) for n in _entries(blocks[i + 1])] if i + 1 < len(blocks) else ["END"]
            if i == 0:
                for n in _entries(b):
                    edge("START", repr(n))
            if isinstance(b, Single):
                self.elem(b.elem)
                add(b.elem)
                ends_to([b.elem.name], nxt)
            elif isinstance(b, Fan):
                for chain in b.branches:
                    for e in chain:
                        self.elem(e)
                        add(e)
                    chain_edges(chain)
                self.node(b.join)
                add(b.join, defer=b.defer)
                ends = [chain[-1].name for chain in b.branches]
                if b.barrier:
                    edge(repr(ends), repr(b.join.name))
                else:
                    ends_to(ends, [repr(b.join.name)])
                ends_to([b.join.name], nxt)
            elif isinstance(b, Branch):
                firsts = [chain[0].name for chain in b.branches]
                pick = f"{firsts!r}[(c + len(state['log']) + {b.salt}) % {len(firsts)}]"
                literal = f"Literal[{', '.join(map(repr, firsts))}]" if b.hint else ""
                if b.via == "command":
                    self.node(b.router, goto=pick, targets=literal)
                    add(b.router)
                else:
                    self.node(b.router)
                    add(b.router)
                    hint = f" -> {literal}" if literal else ""
                    self.defs.append(
                        f"def route_{b.router.name}(state){hint}:\n    c = state['clock']\n    return {pick}\n"
                    )
                    body.append(f"{var}.add_conditional_edges('{b.router.name}', route_{b.router.name})")
                for chain in b.branches:
                    for e in chain:
                        self.elem(e)
                        add(e)
                    chain_edges(chain)
                ends_to([chain[-1].name for chain in b.branches], nxt)
            elif isinstance(b, Loop):
                for e in b.body:
                    self.elem(e)
                    add(e)
                chain_edges(b.body)
                last, first = b.body[-1].name, b.body[0].name
                after = nxt[0] if len(nxt) == 1 else "[" + ", ".join(nxt) + "]"
                hint = ""
                if b.hint and len(nxt) == 1:
                    hint = f" -> Literal[{first!r}, {nxt[0] if nxt[0] != 'END' else repr('__end__')}]"
                stay = f"sum(1 for e in state['log'] if e.startswith('{last}@')) < {b.times}"
                if b.managed == "remaining":
                    stay += " and state['remaining_steps'] > 2"
                elif b.managed == "last":
                    stay += " and not state['is_last_step']"
                self.defs.append(
                    f"def loop_{last}(state){hint}:\n"
                    f"    if {stay}:\n"
                    f"        return '{first}'\n"
                    f"    return {after}\n"
                )
                body.append(f"{var}.add_conditional_edges('{last}', loop_{last})")
            elif isinstance(b, Jump):
                # the subgraph has no edge out: its last node leaves with Command.PARENT to the target
                self.elem(b.sub)
                add(b.sub)
                self.node(b.target)
                add(b.target)
                ends_to([b.target.name], nxt)
            else:
                if b.via == "command":
                    literal = f"Literal[{b.worker.name!r}]" if b.hint else ""
                    self.node(b.router, send=(b.worker.name, b.k), targets=literal)
                    add(b.router)
                else:
                    self.node(b.router)
                    add(b.router)
                    self.defs.append(
                        f"def send_{b.router.name}(state):\n"
                        f"    c = state['clock']\n"
                        f"    return [Send('{b.worker.name}', {{'idx': i, 'clock': c}}) for i in range({b.k})]\n"
                    )
                    body.append(f"{var}.add_conditional_edges('{b.router.name}', send_{b.router.name})")
                self.node(b.worker)
                add(b.worker)
                ends_to([b.worker.name], nxt)
        body.append(f"{var} = {var}.compile()")
        self.defs.append("\n".join(nodes + body) + "\n")


def render(case: Case, lib: str, *, aio: bool) -> str:
    """Source of a module that builds ``case`` as ``graph`` with ``lib`` (``"langgraph"``/``"nbstream"``).

    With ``aio`` false every node is a plain function (sync ``stream`` cannot run coroutines);
    with ``aio`` true, nodes marked ``aio`` are coroutines.
    """
    r = _Renderer(aio, case.context is not None)
    r.graph(case.program, "graph")
    managed = any(isinstance(b, Loop) and b.managed for b in walk_blocks(case.program))
    prelude = _PRELUDE.format(imports=LIB_IMPORTS[lib], managed=_MANAGED if managed else "")
    context = "" if case.context is None else f"CONTEXT = Ctx(tag={case.context!r})\n"
    return prelude + "\n" + "\n\n".join(r.defs) + f"\nINPUT = {case.input!r}\n" + context


def build(case: Case, lib: str, *, aio: bool) -> tuple[Any, Any]:
    """Build ``case`` with ``lib`` (executes :func:`render`'s source): the compiled graph and the
    ``context=`` value its calls pass (``None`` when the case has no context)."""
    source = render(case, lib, aio=aio)
    namespace: dict[str, Any] = {"__name__": f"_diffcase_{lib}"}
    exec(compile(source, f"<diffcase {lib}>", "exec", dont_inherit=True), namespace)
    return namespace["graph"], namespace.get("CONTEXT")


def reproducer(case: Case, lib: str, *, aio: bool, call: str, method: str = "stream") -> str:
    """A runnable script: the graph source plus the call that disagreed (``method``: stream or invoke)."""
    if method == "invoke":
        run = f"print(asyncio.run(graph.ainvoke({call})))\n" if aio else f"print(graph.invoke({call}))\n"
    elif aio:
        run = (
            "async def main():\n"
            f"    async for chunk in graph.astream({call}):\n"
            "        print(chunk)\n\n"
            "asyncio.run(main())\n"
        )
    else:
        run = f"for chunk in graph.stream({call}):\n    print(chunk)\n"
    return render(case, lib, aio=aio) + "\n" + run


# --------------------------------------------------------------------------------------------------
# threads: the same graphs compiled with a checkpointer, paused by interrupt() and by breakpoints
#
# Nothing above changes for this: a thread case wraps a plain ``Case`` and says which node functions
# call ``interrupt()`` (and how often, and where in their body) and which root nodes are listed in
# ``interrupt_before``/``interrupt_after``. ``render_thread`` renders the case with the renderer above,
# then adds the interrupt calls to those functions and the checkpointer and breakpoints to the root's
# ``compile()``.


@dataclass(frozen=True)
class Ask:
    """The node function ``node`` calls ``interrupt()`` ``times`` times, at the start of its body
    (``late`` false) or after its custom events, just before it returns (``late`` true). Each answer
    shows in the node's log entries (``@<clock>:<answer>...``), so what a resume delivered is
    visible in the state. The interrupt's value names the node, the call (``k``), the input clock
    and, for a ``Send`` worker, the packet (``idx``): every pending interrupt has a distinct value."""

    node: str
    times: int = 1
    late: bool = False


@dataclass(frozen=True)
class ThreadCase:
    """A case run on a thread: its asks and the root graph's ``interrupt_before``/``interrupt_after``."""

    case: Case
    asks: tuple[Ask, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    #: nodes of subgraphs (added as nodes or invoked inside one) in their own graph's
    #: ``interrupt_before``/``interrupt_after``
    inner_before: tuple[str, ...] = ()
    inner_after: tuple[str, ...] = ()


def root_names(program: Program) -> list[str]:
    """The names of the root graph's nodes (what ``interrupt_before``/``interrupt_after`` may list)."""
    return list(dict.fromkeys(e.name for block in program.blocks for e in _elems_of(block)))


@st.composite
def thread_cases(draw: st.DrawFn, max_blocks: int = 3) -> ThreadCase:
    """A random case (``cases``) plus where its thread pauses: one to three nodes that call
    ``interrupt()`` and up to two breakpoints of each kind (any of them may be absent)."""
    case = draw(cases(max_blocks=max_blocks))
    roots = root_names(case.program)
    functions = sorted({n.name for n in walk_nodes(case.program)})
    chosen = draw(st.lists(st.sampled_from(functions), max_size=3, unique=True)) if functions else []
    asks = tuple(Ask(name, draw(st.integers(1, 2)), draw(st.booleans())) for name in chosen)
    before = tuple(draw(st.lists(st.sampled_from(roots), max_size=2, unique=True)))
    after = tuple(draw(st.lists(st.sampled_from(roots), max_size=2, unique=True)))
    inner = sorted({name for _, names in _subgraphs(case.program) for name in names})
    inner_before = tuple(draw(st.lists(st.sampled_from(inner), max_size=1))) if inner else ()
    inner_after = tuple(draw(st.lists(st.sampled_from(inner), max_size=1))) if inner else ()
    return ThreadCase(case, asks, before, after, inner_before, inner_after)


def _subgraphs(program: Program) -> Iterator[tuple[str, list[str]]]:
    """Each subgraph of the program (added as a node, or invoked inside one), at any depth: its
    name and its own graph's node names."""
    for block in program.blocks:
        for e in _elems_of(block):
            if isinstance(e, Sub | Invoke):
                yield e.name, root_names(e.program)
                yield from _subgraphs(e.program)


def _with_asks(source: str, ask: Ask) -> str:
    """A node function's source with ``ask``'s ``interrupt()`` calls added, and their answers in
    every log entry the function writes."""
    lines = source.rstrip("\n").split("\n")
    worker = lines[0].startswith(("def w", "async def w"))
    idx = ", 'idx': idx" if worker else ""
    calls = ["    ans = ''"] + [
        f"    ans += ':' + str(interrupt({{'node': '{ask.node}', 'k': {k}, 'clock': c{idx}}}))"
        for k in range(ask.times)
    ]
    if ask.late:
        at = next(i for i, line in enumerate(lines) if line.startswith("    return "))
    else:
        at = next(i for i, line in enumerate(lines) if line.startswith("    c = ")) + (2 if worker else 1)
    body = [line.replace("@{c}", "@{c}{ans}") for line in lines[at:]]
    return "\n".join([*lines[:at], *calls, *body]) + "\n"


class _ThreadRenderer(_Renderer):
    """The renderer above, adding ``interrupt()`` calls to the node functions that ask."""

    def __init__(self, aio: bool, context: bool, asks: dict[str, Ask]) -> None:
        super().__init__(aio, context)
        self.asks = asks

    def node(
        self, n: Node, *, goto: str | None = None, send: tuple[str, int] | None = None, targets: str = ""
    ) -> None:
        super().node(n, goto=goto, send=send, targets=targets)
        if n.name in self.asks:
            self.defs[-1] = _with_asks(self.defs[-1], self.asks[n.name])


def thread_imports(lib: str) -> str:
    """The import block of a thread case: the graph API from ``lib``, the saver from
    langgraph-checkpoint (the ecosystem's savers are nbstream's savers)."""
    return (
        LIB_IMPORTS[lib]
        + f"from {lib}.types import interrupt\n"
        + "from langgraph.checkpoint.memory import InMemorySaver\n"
    )


def render_thread(tc: ThreadCase, lib: str, *, aio: bool) -> str:
    """Source of a module that builds ``tc`` as ``graph``, compiled with its own ``InMemorySaver``."""
    case = tc.case
    r = _ThreadRenderer(aio, case.context is not None, {a.node: a for a in tc.asks})
    r.graph(case.program, "graph")
    compile_args = "checkpointer=InMemorySaver()"
    if tc.before:
        compile_args += f", interrupt_before={list(tc.before)!r}"
    if tc.after:
        compile_args += f", interrupt_after={list(tc.after)!r}"
    root = r.defs[-1]
    assert root.endswith("graph = graph.compile()\n")
    r.defs[-1] = root[: -len("compile()\n")] + f"compile({compile_args})\n"
    for name, names in _subgraphs(case.program):
        inner = ""
        if before := [n for n in names if n in tc.inner_before]:
            inner += f"interrupt_before={before!r}"
        if after := [n for n in names if n in tc.inner_after]:
            inner += (", " if inner else "") + f"interrupt_after={after!r}"
        if inner:
            plain = f"{name}_graph = {name}_graph.compile()\n"
            at = next(i for i, d in enumerate(r.defs) if d.endswith(plain))
            r.defs[at] = r.defs[at][: -len("compile()\n")] + f"compile({inner})\n"
    managed = any(isinstance(b, Loop) and b.managed for b in walk_blocks(case.program))
    prelude = _PRELUDE.format(imports=thread_imports(lib), managed=_MANAGED if managed else "")
    context = "" if case.context is None else f"CONTEXT = Ctx(tag={case.context!r})\n"
    return prelude + "\n" + "\n\n".join(r.defs) + f"\nINPUT = {case.input!r}\n" + context


def build_thread(tc: ThreadCase, lib: str, *, aio: bool) -> tuple[Any, Any]:
    """Build ``tc`` with ``lib``: the compiled graph (with a fresh saver) and the ``context=`` value."""
    source = render_thread(tc, lib, aio=aio)
    namespace: dict[str, Any] = {"__name__": f"_threadcase_{lib}"}
    exec(compile(source, f"<threadcase {lib}>", "exec", dont_inherit=True), namespace)
    return namespace["graph"], namespace.get("CONTEXT")
