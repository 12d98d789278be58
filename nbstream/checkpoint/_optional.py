"""Importing a saver package that may not be installed, with an error that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def saver_module(name: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(f"{name} is not installed: pip install {package}") from exc
