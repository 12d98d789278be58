"""nbstream: build LLM graphs and watch them run.

The LangGraph-compatible faces are ``nbstream.graph``, ``nbstream.config``, ``nbstream.types`` and
``nbstream.errors``; the event vocabulary is ``nbstream.events``; live views are ``nbstream.widgets``.
"""

from __future__ import annotations

__version__ = "0.1.0"
