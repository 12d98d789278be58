"""The tutorial notebooks as files: well-formed, executed, offline, fast, and Binder-ready.

nbval (``pytest --nbval notebooks``) compares each cell's fresh output with the committed one; this
module checks what nbval does not: that every committed notebook is valid nbformat that GitHub
will render, that it was executed top to bottom in one go, that it runs with the network cut off in
under 30 s, and that the Binder environment can import everything the notebooks import.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import re
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests._langgraph_server import lg_python  # noqa: F401  (fixture: the server venv notebook 11 uses)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
BINDER = ROOT / "binder"

#: the course, in order; zh/ holds the Chinese editions of two of them
COURSE = [
    "01_quickstart.ipynb",
    "02_stream_modes.ipynb",
    "03_subgraphs.ipynb",
    "04_llm_tokens.ipynb",
    "05_custom_data.ipynb",
    "06_async.ipynb",
    "07_from_langgraph.ipynb",
    "08_human_in_the_loop.ipynb",
    "09_tool_agents.ipynb",
    "10_record_replay.ipynb",
    "11_watch_langgraph.ipynb",
    "zh/01_quickstart.ipynb",
    "zh/04_llm_tokens.ipynb",
]
NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
TIME_BUDGET_S = 30.0
# notebooks that start a LangGraph Server from its own venv (<repo>/.venv-lgserver)
NEEDS_SERVER_VENV = {"11_watch_langgraph.ipynb"}


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(NOTEBOOK_DIR).as_posix() for p in paths]


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def widget_metadata_problems(nb: Any) -> list[str]:
    """What would make GitHub refuse ``nb`` for its widget metadata ("the 'state' key is missing").

    ``metadata.widgets`` may be absent; if present, each entry must be wrapped as
    ``{"version_major": 2, "version_minor": 0, "state": {...}}``.
    """
    widgets = nb.get("metadata", {}).get("widgets")
    if widgets is None:
        return []
    if not isinstance(widgets, dict):
        return [f"metadata.widgets is a {type(widgets).__name__}, not an object"]
    problems = []
    for mime, entry in widgets.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("state"), dict):
            problems.append(f"metadata.widgets[{mime!r}] has no 'state' object")
    return problems


def test_the_course_is_all_there() -> None:
    assert _ids(NOTEBOOKS) == sorted(COURSE)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({}, []),
        ({"widgets": {WIDGET_STATE_MIME: {"version_major": 2, "version_minor": 0, "state": {}}}}, []),
        ({"widgets": {WIDGET_STATE_MIME: {"version_major": 2, "version_minor": 0}}}, ["no 'state'"]),
        ({"widgets": {WIDGET_STATE_MIME: {"model-id": {"model_name": "HTMLModel"}}}}, ["no 'state'"]),
        ({"widgets": []}, ["not an object"]),
    ],
)
def test_the_widget_metadata_check_catches_what_github_refuses(
    metadata: dict[str, Any], expected: list[str]
) -> None:
    nb = nbformat.v4.new_notebook(metadata=metadata)
    problems = widget_metadata_problems(nb)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_valid_and_renders_on_github(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    assert widget_metadata_problems(nb) == []
    # We commit no widget state at all: it churns on every run, JupyterLab does not save it by
    # default, and the views append a static HTML snapshot that GitHub and nbviewer show instead.
    assert "widgets" not in nb.metadata, "run notebooks/regenerate_outputs.py, which strips it"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_was_executed_top_to_bottom(path: Path) -> None:
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a tutorial without code"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        "every code cell must be run once, in order, in one fresh kernel"
    )
    assert any(c.outputs for c in code), "committed without outputs: nbval would compare nothing"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {cell.execution_count} raised: {output.ename}"
            text = "".join(str(v) for v in output.get("data", {}).values()) + output.get("text", "")
            assert "Error displaying widget" not in text
            assert not re.search(r" at 0x[0-9a-fA-F]+>", text), "a default repr with an address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_teaches_in_prose_and_shows_a_view(path: Path) -> None:
    nb = _read(path)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert prose and prose[0].startswith("# "), "a tutorial opens with its title"
    assert len(prose) >= 5, "explain what the learner sees, between the code cells"
    if path.parent.name == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", p) for p in prose), "Chinese prose in zh/"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    live = [o for o in outputs if WIDGET_VIEW_MIME in o.get("data", {})]
    assert live, "no live view: show the run, not only printed chunks"
    for output in live:
        assert output.data["text/plain"], "a live view needs a text/plain for nbval and GitHub"
        # with no widget state committed, any model id would dangle: JupyterLab would show "Error
        # displaying widget: model not found"; an empty id makes it hide the output instead
        assert output.data[WIDGET_VIEW_MIME]["model_id"] == "", "run notebooks/regenerate_outputs.py"
    snapshots = [o for o in outputs if "nbstream-" in o.get("data", {}).get("text/html", "")]
    assert snapshots, "no static snapshot of a view: a saved notebook must stay readable"


_CUT_THE_NETWORK = """\
import os as _os
import socket as _socket

_LOCAL = {None, "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1"}
_real_connect, _real_getaddrinfo = _socket.socket.connect, _socket.getaddrinfo

def _refuse(where):
    raise OSError(f"the tutorials run offline, but this cell tried to reach {where!r}")

def _connect(sock, address):
    if sock.family == _socket.AF_UNIX or address[0] in _LOCAL:
        return _real_connect(sock, address)
    _refuse(address)

def _getaddrinfo(host, *args, **kwargs):
    if host in _LOCAL:
        return _real_getaddrinfo(host, *args, **kwargs)
    _refuse(host)

_socket.socket.connect = _connect
_socket.getaddrinfo = _getaddrinfo
for _key in [k for k in _os.environ if k.endswith("_API_KEY")]:
    del _os.environ[_key]
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_offline_without_keys_in_time(
    path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Run it as a learner would, from a fresh kernel, after cutting the kernel off the network."""
    if path.name in NEEDS_SERVER_VENV:  # built once from PyPI (~40 s): not part of the notebook's budget
        request.getfixturevalue("lg_python")
    # the python3 kernelspec runs `python`: make that the interpreter running these tests
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nb = _read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_CUT_THE_NETWORK))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=int(TIME_BUDGET_S),
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_BUDGET_S, f"{path.name} took {elapsed:.1f} s; the budget is {TIME_BUDGET_S} s"


# --- Binder --------------------------------------------------------------------------------------


def _binder_requirements() -> dict[str, Requirement]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def test_binder_pins_python_311() -> None:
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_binder_postbuild_installs_nbstream_and_stops_on_errors() -> None:
    script = BINDER / "postBuild"
    text = script.read_text()
    assert text.startswith("#!/bin/bash\n")
    assert re.search(r"^set -[a-z]*e", text, re.MULTILINE), "without set -e a failed install passes"
    # a binder/ folder makes repo2docker ignore the root pyproject.toml: postBuild installs us
    assert re.search(r"^python -m pip install --no-deps \.$", text, re.MULTILINE)
    assert script.stat().st_mode & 0o111, "repo2docker runs postBuild only if it is executable"


def test_binder_requirements_satisfy_nbstream_and_serve_jupyterlab() -> None:
    """postBuild installs with --no-deps, so every dependency must be pinned here, compatibly."""
    pinned = _binder_requirements()
    assert "jupyterlab" in pinned
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        needed = Requirement(spec)
        name = canonicalize_name(needed.name)
        assert name in pinned, f"{needed.name} is a dependency of nbstream but not in binder/"
        versions = [s.version for s in pinned[name].specifier if s.operator == "=="]
        assert versions, f"pin {needed.name} with == in binder/requirements.txt"
        assert needed.specifier.contains(versions[0]), f"binder pins {pinned[name]}, nbstream needs {needed}"


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of every module the notebook's code cells import."""
    found: set[str] = set()
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        # IPython syntax (magics, shell escapes) is not Python: leave those lines out
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_imports_resolve_in_the_binder_environment(path: Path) -> None:
    pinned = set(_binder_requirements())
    distributions = importlib.metadata.packages_distributions()
    for module in sorted(_imported_modules(path)):
        if module in sys.stdlib_module_names or module == "nbstream":
            continue
        assert importlib.util.find_spec(module) is not None, f"{path.name} imports {module}: not installed"
        owners = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert owners & pinned, (
            f"{path.name} imports {module} (from {sorted(owners)}), which binder/requirements.txt "
            "does not name: Binder would fail on this import"
        )


# --- the README's first command: pip install -e ".[lab]" -----------------------------------------


def _lab_distributions() -> set[str]:
    """What ``pip install -e ".[lab]"`` asks for by name: nbstream's dependencies and the ``lab``
    extra, with the extras it names of nbstream itself (``nbstream[remote,cassettes]``) opened."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    names: set[str] = set()
    pending = [Requirement(spec) for spec in [*project["dependencies"], *extras["lab"]]]
    while pending:
        req = pending.pop()
        if canonicalize_name(req.name) == "nbstream":
            pending += [Requirement(spec) for extra in sorted(req.extras) for spec in extras[extra]]
        else:
            names.add(canonicalize_name(req.name))
    return names


def _module_owners(module: str) -> set[str]:
    """The distributions whose files hold ``module`` (a namespace such as ``langgraph`` has several
    owners; its submodule ``langgraph.graph`` one)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"{module} is not installed"
    origin = Path(spec.origin).resolve()
    top = module.split(".")[0]
    owners = set()
    for name in importlib.metadata.packages_distributions().get(top, []):
        dist = importlib.metadata.distribution(name)
        if any(Path(str(dist.locate_file(f))).resolve() == origin for f in dist.files or ()):
            owners.add(canonicalize_name(name))
    return owners


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_imports_come_with_the_readmes_lab_install(path: Path) -> None:
    wanted = _lab_distributions()
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in sys.stdlib_module_names or module.split(".")[0] == "nbstream":
                    continue
                owners = _module_owners(module)
                assert owners & wanted, (
                    f"{path.name} imports {module} (from {sorted(owners)}), which pip install -e "
                    f'".[lab]" does not ask for: add it to the lab extra in pyproject.toml'
                )
