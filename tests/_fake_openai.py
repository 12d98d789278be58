"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for real-client tests.

``POST /v1/chat/completions`` answers with a script picked by the request's ``model`` field:

* ``"text"``  the words of :attr:`FakeOpenAI.reply`, one per delta (SSE with ``"stream": true``,
  one JSON response otherwise);
* ``"tool"``  a call of :attr:`FakeOpenAI.tool_name` whose JSON arguments arrive in several deltas;
* ``"error"`` two words, then an SSE ``error`` object (the client raises ``openai.APIError``);
* ``"cut"``   two words, then the connection is dropped in the middle of the chunked body;
* any name in :attr:`FakeOpenAI.conversations`: a scripted agent conversation (see :class:`Turn`).

A conversation answers each request by where it stands: a request whose messages already hold *n*
assistant messages gets turn *n*. That keeps the server stateless, so two agents (nbstream's and
LangGraph's) replaying the same history get the same replies, whatever order their requests come
in. A turn's tool calls stream as OpenAI streams them: per call, a delta with its ``index``, ``id``,
``type`` and function name (empty arguments), then deltas with only the ``index`` and a fragment of
the JSON arguments; a non-streamed turn answers ``message.tool_calls`` whole, with
``finish_reason="tool_calls"``. A streamed request with ``stream_options.include_usage`` gets a
last chunk with no choices and the usage, as the real API sends it.

Every request body is kept in :attr:`FakeOpenAI.requests`. Streaming replies use chunked transfer
encoding, as real servers do, so a dropped connection is an incomplete body to the client.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAI", "Turn", "ToolCall"]

#: how many characters of a tool call's JSON arguments each streamed delta carries
ARGUMENT_FRAGMENT = 5
USAGE = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}


@dataclass(frozen=True)
class ToolCall:
    """One function call a scripted turn makes: its id, the function's name and its arguments.

    Arguments given as a string are sent as they are (a model may write JSON that does not parse).
    """

    id: str
    name: str
    arguments: dict[str, Any] | str

    @property
    def json(self) -> str:
        """The arguments as the wire carries them."""
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)

    def fragments(self) -> list[str]:
        """The JSON arguments cut as the stream delivers them: :data:`ARGUMENT_FRAGMENT` characters each."""
        text = self.json
        return [text[i : i + ARGUMENT_FRAGMENT] for i in range(0, len(text), ARGUMENT_FRAGMENT)]

    def as_openai(self) -> dict[str, Any]:
        """The call as a whole (non-streamed) response holds it."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.json}}


@dataclass(frozen=True)
class Turn:
    """One reply of a scripted conversation: text, tool calls (run in parallel by an agent), or both."""

    content: str = ""
    tool_calls: tuple[ToolCall, ...] = field(default=())

    @property
    def words(self) -> list[str]:
        """The content as the deltas it streams in: each word, the later ones with a leading space."""
        if not self.content:
            return []
        parts = self.content.split(" ")
        return [parts[0], *(f" {p}" for p in parts[1:])]


class FakeOpenAI:
    """The server, running on a daemon thread until :meth:`close`."""

    def __init__(self, reply: str = "Why did the cat sit on the computer?") -> None:
        self.reply = reply
        self.tool_name = "get_weather"
        self.tool_arguments = ['{"ci', 'ty": "Pa', 'ris"}']
        self.requests: list[dict[str, Any]] = []
        #: scripted conversations by model name: the replies, one per assistant message so far
        self.conversations: dict[str, list[Turn]] = {}
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    @property
    def words(self) -> list[str]:
        """The reply as the deltas it is streamed in: each word, the later ones with a leading space."""
        return Turn(self.reply).words

    def turn_for(self, body: dict[str, Any]) -> tuple[int, Turn] | None:
        """The turn of a scripted conversation that answers ``body`` (``None``: not a conversation).

        Raises ``LookupError`` when the conversation has no turn left for the request.
        """
        turns = self.conversations.get(body.get("model", ""))
        if turns is None:
            return None
        number = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
        if number >= len(turns):
            raise LookupError(
                f"conversation {body['model']!r} has {len(turns)} turns; the request already holds "
                f"{number} assistant messages"
            )
        return number, turns[number]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client closing its pooled keep-alive connection is normal, not worth a traceback
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _chunk(
    model: str, delta: dict[str, Any], finish: str | None = None, response_id: str = "chatcmpl-fake"
) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.fake.requests.append(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        script = body.get("model", "text")
        try:
            turn = self.fake.turn_for(body)
        except LookupError as exc:
            self._json(400, {"error": {"message": str(exc), "type": "invalid_request_error"}})
            return
        if turn is not None:
            number, reply = turn
            response_id = f"chatcmpl-{script}-{number}"  # unique per reply, the same in every run
            if body.get("stream"):
                usage = bool((body.get("stream_options") or {}).get("include_usage"))
                self._stream_turn(script, reply, response_id, usage)
            else:
                self._complete_turn(script, reply, response_id)
        elif body.get("stream"):
            self._stream(script)
        else:
            self._complete(script)

    # -- one JSON response ----------------------------------------------------------------------
    def _complete(self, script: str) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": self.fake.reply}
        finish = "stop"
        if script == "tool":
            message = {"role": "assistant", "content": None, "tool_calls": [self._tool_call()]}
            finish = "tool_calls"
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 1700000000,
                "model": script,
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
            },
        )

    def _complete_turn(self, script: str, turn: Turn, response_id: str) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": turn.content or None}
        if turn.tool_calls:
            message["tool_calls"] = [call.as_openai() for call in turn.tool_calls]
        finish = "tool_calls" if turn.tool_calls else "stop"
        self._json(
            200,
            {
                "id": response_id,
                "object": "chat.completion",
                "created": 1700000000,
                "model": script,
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                "usage": USAGE,
            },
        )

    def _tool_call(self) -> dict[str, Any]:
        return {
            "id": "call_fake_1",
            "type": "function",
            "function": {"name": self.fake.tool_name, "arguments": "".join(self.fake.tool_arguments)},
        }

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- server-sent events ---------------------------------------------------------------------
    def _stream(self, script: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        send = self._send_event
        send(_chunk(script, {"role": "assistant", "content": ""}))
        if script == "tool":
            call = self._tool_call()
            first = {**call, "index": 0, "function": {"name": call["function"]["name"], "arguments": ""}}
            send(_chunk(script, {"tool_calls": [first]}))
            for part in self.fake.tool_arguments:
                send(_chunk(script, {"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
            send(_chunk(script, {}, "tool_calls"))
        elif script in ("error", "cut"):
            for word in self.fake.words[:2]:
                send(_chunk(script, {"content": word}))
            if script == "cut":
                self.wfile.flush()
                self.close_connection = True
                return  # no terminating zero-length chunk: the body is incomplete
            send({"error": {"message": "the upstream model crashed", "type": "server_error", "code": None}})
        else:
            for word in self.fake.words:
                send(_chunk(script, {"content": word}))
            send(_chunk(script, {}, "stop"))
        self._send_raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _stream_turn(self, script: str, turn: Turn, response_id: str, usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(delta: dict[str, Any], finish: str | None = None) -> None:
            self._send_event(_chunk(script, delta, finish, response_id))

        send({"role": "assistant", "content": ""})
        for word in turn.words:
            send({"content": word})
        for index, call in enumerate(turn.tool_calls):
            head = {"index": index, "id": call.id, "type": "function"}
            send({"tool_calls": [{**head, "function": {"name": call.name, "arguments": ""}}]})
            for fragment in call.fragments():
                send({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
        send({}, "tool_calls" if turn.tool_calls else "stop")
        if usage:
            last = {**_chunk(script, {}, None, response_id), "choices": [], "usage": USAGE}
            self._send_event(last)
        self._send_raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_event(self, payload: dict[str, Any]) -> None:
        self._send_raw(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _send_raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
