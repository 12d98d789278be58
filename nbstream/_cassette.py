"""LLM cassettes: record a notebook's model traffic once, replay it offline on every later run.

:func:`cassette` is a context manager (and a decorator) around vcrpy, the recorder that
pytest-recording builds on. Inside it, every HTTP request made through httpx, requests, aiohttp
or urllib3 (the clients of langchain-openai, langchain-anthropic and the other integrations)
goes through vcrpy:

* the first time (no cassette file), requests reach the real server and each request with its
  whole response is written to a YAML file; a streamed (SSE) response is kept as the text of its
  events, so on replay the client parses it into the same chunks and a ``messages`` stream or a
  ``RunView`` gets the same tokens, one by one;
* later runs answer every request from the file, with no network and no key. Requests are matched
  on method, URL path and body (a JSON body as data, so key order does not matter), not on host
  or port, so a cassette recorded against one server replays wherever the code points. Each
  recorded answer is played once, in order: the same program asks the same questions and gets
  the same answers. A request the file does not hold raises vcrpy's
  ``CannotOverwriteExistingCassetteException``, whose message shows the request (method, URL,
  body) and the recorded requests closest to it.

Secrets are never written: request headers that carry keys or sessions (``Authorization``,
``api-key``, ``x-api-key``, ``OpenAI-Organization``, cookies, ...), response headers that set
cookies or name the account, and query-string parameters that carry keys are dropped before
saving; the value of any environment variable named like a secret (``*_API_KEY``, ``*_TOKEN``,
...) is replaced by its name wherever else it shows up. vcrpy is imported only when a cassette is
made, so ``import nbstream.testing`` works without it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["cassette", "Cassette", "RecordMode"]

#: when a cassette talks to the network: ``"once"`` records a cassette that does not exist yet and
#: replays one that does (new requests fail); ``"none"`` never records (for CI: a missing cassette
#: or request fails); ``"new_episodes"`` replays what it has and records what it lacks;
#: ``"all"`` records everything again
RecordMode = Literal["once", "none", "new_episodes", "all"]

#: request headers that carry keys, accounts or sessions (compared without case)
SECRET_REQUEST_HEADERS = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "x-goog-api-key",
    "ocp-apim-subscription-key",
    "openai-organization",
    "openai-project",
    "cookie",
)
#: request headers dropped because they describe the recording machine, not the request: without
#: them a cassette recorded on two machines is the same file
MACHINE_REQUEST_HEADER_PREFIXES = ("x-stainless-",)
#: response headers that set sessions or name the account
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "openai-organization", "openai-project"})
#: query-string parameters that carry keys or signatures (compared without case)
SECRET_QUERY_PARAMETERS = frozenset(
    {"key", "api_key", "api-key", "apikey", "access_token", "token", "sig", "signature", "code"}
)
#: words of an environment variable's name that make its value a secret to scrub from anything recorded
SECRET_ENV_WORDS = frozenset({"KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIALS"})
_SHORTEST_SECRET = 8  # shorter values ("1", "true") would scrub ordinary text

_F = TypeVar("_F", bound=Callable[..., Any])


def cassette(path: str | os.PathLike[str], *, record_mode: RecordMode = "once") -> Cassette:
    """A recording of HTTP traffic at ``path`` (YAML): records it the first time, replays it after.

    ::

        with nbstream.testing.cassette("cassettes/quickstart.yaml"):
            nbstream.show(graph, inputs)        # a real ChatOpenAI inside

        @nbstream.testing.cassette("cassettes/agent.yaml", record_mode="none")
        def test_agent(): ...

    Needs vcrpy (``pip install nbstream[cassettes]``).
    """
    if record_mode not in get_args(RecordMode):
        raise ValueError(
            f"cassette({str(path)!r}): record_mode={record_mode!r} is not one of "
            f"{', '.join(repr(m) for m in get_args(RecordMode))}"
        )
    return Cassette(_import_vcr(), Path(path), record_mode)


class Cassette:
    """A cassette in use: enter it with ``with`` (gives vcrpy's cassette) or decorate a function with it.

    Each ``with`` block or call of a decorated function loads the file anew, so the same object
    can be used again.
    """

    def __init__(self, vcr: Any, path: Path, record_mode: RecordMode) -> None:
        self._vcr = vcr
        self.path = path
        self.record_mode = record_mode
        self._active: list[Any] = []  # vcrpy context managers entered and not yet left

    def __repr__(self) -> str:
        return f"cassette({str(self.path)!r}, record_mode={self.record_mode!r})"

    def _use(self) -> Any:
        secrets = list(_secret_environment(os.environ))
        return self._vcr.VCR(record_mode=self.record_mode).use_cassette(
            str(self.path),
            serializer="yaml",
            match_on=("method", "path", "body"),
            before_record_request=_scrub_request,
            before_record_response=_scrub_response,
            filter_sensitive_data=secrets,
            decode_compressed_response=True,  # keep the recorded text readable and greppable
        )

    def __enter__(self) -> Any:
        use = self._use()
        recording = use.__enter__()
        self._active.append(use)
        return recording

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._active.pop().__exit__(kind, error, tb)

    def __call__(self, function: _F) -> _F:
        # vcrpy's decorator knows plain, coroutine and generator functions; each call gets a fresh load
        decorated: _F = self._use()(function)
        return decorated


def _import_vcr() -> Any:
    try:
        # through importlib: vcrpy ships no type information, and may not be installed
        vcr = importlib.import_module("vcr")
    except ImportError as exc:
        raise ImportError(
            "nbstream.testing.cassette records and replays HTTP with vcrpy, which is not installed: "
            "pip install nbstream[cassettes]"
        ) from exc
    return vcr


def _secret_environment(environ: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """``(placeholder, value)`` for each environment variable whose name says it holds a secret."""
    for name, value in environ.items():
        # whole words of the name: OPENAI_API_KEY and GITHUB_TOKEN are secrets, KEYBOARD_LAYOUT is not
        words = name.upper().replace("-", "_").split("_")
        if len(value) >= _SHORTEST_SECRET and any(word in SECRET_ENV_WORDS for word in words):
            yield f"<{name}>", value


def _scrub_request(request: Any) -> Any:
    """The request as it may be written: no secret or machine headers, no keys in its query string."""
    for name in list(request.headers):
        lower = name.lower()
        if lower in SECRET_REQUEST_HEADERS or lower.startswith(MACHINE_REQUEST_HEADER_PREFIXES):
            del request.headers[name]
    parts = urlsplit(request.uri)
    if parts.query:
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in SECRET_QUERY_PARAMETERS
        ]
        request.uri = urlunsplit(parts._replace(query=urlencode(kept)))
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """The response as it may be written: no headers that set sessions or name the account."""
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if k.lower() not in SECRET_RESPONSE_HEADERS}
    return response
