"""Fold models: what the live views show, folded from a run's events in pure Python.

Each model takes events one at a time (``model.fold(event)``) and keeps a ``version`` counter
that grows on every change; the views in :mod:`nbstream.widgets` only render these models. Test
them, or build your own view on them, without Jupyter.
"""

from __future__ import annotations

from nbstream.widgets.models._namespaces import NamespaceIndex, Path, path_label
from nbstream.widgets.models._status import STATUSES, NodeState, Status
from nbstream.widgets.models.history import CheckpointRow, HistoryModel
from nbstream.widgets.models.pause import PauseModel
from nbstream.widgets.models.run import RunHeaderModel, RunModel
from nbstream.widgets.models.table import NodeRow, StateTableModel
from nbstream.widgets.models.ticker import Lane, LaneStatus, LaneToolCall, TokenTickerModel
from nbstream.widgets.models.tools import ToolCallRow, ToolCallsModel, ToolStatus
from nbstream.widgets.models.tree import GraphRun, SubgraphTreeModel, TreeNode

__all__ = [
    "RunModel",
    "RunHeaderModel",
    "StateTableModel",
    "NodeRow",
    "TokenTickerModel",
    "Lane",
    "LaneStatus",
    "LaneToolCall",
    "ToolCallsModel",
    "ToolCallRow",
    "ToolStatus",
    "SubgraphTreeModel",
    "GraphRun",
    "TreeNode",
    "PauseModel",
    "HistoryModel",
    "CheckpointRow",
    "NodeState",
    "Status",
    "STATUSES",
    "NamespaceIndex",
    "Path",
    "path_label",
]
