"""The config a task's node sees (``get_config()``, a ``config`` parameter) and its start metadata.

Mixed into :class:`~nbstream.runtime.loop.Run`. A task's config is LangGraph's: the run's config,
the task's ``langgraph_*`` metadata in LangGraph's key order, ``configurable.checkpoint_ns``, and
the callbacks that make LLM calls inherit that metadata. What does not change between the tasks
of a run is computed once per node (once ever, for a run with no user config).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbstream.runtime._task import DEFAULT_RECURSION_LIMIT, PROPAGATED_IDS, Root, Task, task_segment

if TYPE_CHECKING:
    from nbstream.runtime._node import NodeRuntime

__all__ = ["TaskConfigs"]


class TaskConfigs:
    """Builds task configs and task-start metadata for a run (see the module docstring)."""

    __slots__ = ()
    root: Root
    ns_str: str
    step: int
    parent_config: dict[str, Any] | None
    _config_parts: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]
    _start_meta: dict[str, dict[str, Any]]

    def task_config(self, task: Task) -> dict[str, Any]:
        """The RunnableConfig a node sees: user config plus LangGraph's task metadata and callbacks."""
        node = task.node
        base = self.parent_config if self.parent_config is not None else self.root.user_config
        if not base and self.root.recursion_limit == DEFAULT_RECURSION_LIMIT:
            # no user config: the static parts depend on the node alone, so compute them once ever
            static = node.config_parts
            if static is None:
                static = node.config_parts = self._static_config(node)
        else:
            static = self._config_parts.get(node.name)
            if static is None:
                static = self._config_parts[node.name] = self._static_config(node)
        meta_base, configurable_base, config_base = static
        segment = f"{node.name}:{task.id}" if not node.is_error_handler else task_segment(task)
        checkpoint_ns = f"{self.ns_str}|{segment}" if self.ns_str else segment
        metadata = meta_base.copy()
        metadata["langgraph_step"] = self.step
        metadata["langgraph_triggers"] = task.triggers
        metadata["langgraph_path"] = task.path
        metadata["langgraph_checkpoint_ns"] = checkpoint_ns
        configurable = configurable_base.copy()
        configurable["checkpoint_ns"] = checkpoint_ns
        config = config_base.copy()
        config["metadata"] = metadata
        config["configurable"] = configurable
        callbacks = self.root.callbacks if self.root.callbacks is not None else base.get("callbacks")
        if callbacks is not None:
            # with the messages handler: a manager that makes every LLM run inherit the task metadata
            messages = self.root.messages
            config["callbacks"] = (
                callbacks if messages is None else messages.task_callbacks(callbacks, config)
            )
        return config

    def _static_config(self, node: NodeRuntime) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The parts of a node's task config that are the same for every task of this run."""
        base = self.parent_config if self.parent_config is not None else self.root.user_config
        metadata = dict(base.get("metadata") or {})
        configurable = dict(base.get("configurable") or {})
        # LangGraph 1.2 copies these ids (and only these) into metadata. A graph inside a task gets
        # the task's checkpoint_ns that way, so deeper graphs keep the outermost one
        for key in PROPAGATED_IDS:
            value = configurable.get(key)
            if value and key not in metadata:
                metadata[key] = value
        # LangGraph's key order (programs print these dicts): inherited keys, the task's keys (their
        # per-task values are filled in by task_config, in place), then the node's metadata
        metadata["langgraph_step"] = 0
        metadata["langgraph_node"] = node.name
        metadata["langgraph_triggers"] = ()
        metadata["langgraph_path"] = ()
        metadata["langgraph_checkpoint_ns"] = ""
        metadata.update(node.metadata)
        config = {
            k: v for k, v in base.items() if k not in ("metadata", "configurable", "callbacks", "run_name")
        }
        config["recursion_limit"] = self.root.recursion_limit
        config["run_name"] = node.name
        return metadata, configurable, config

    def _start_metadata(self, node: NodeRuntime) -> dict[str, Any]:
        """A task's user-meaningful metadata, as LangGraph's ``tasks`` mode shows it: run-config
        metadata, then the node's ``metadata=``, then the run's tags; framework keys left out."""
        base = self.parent_config if self.parent_config is not None else self.root.user_config
        if not base:
            return node.metadata
        cached = self._start_meta.get(node.name)
        if cached is None:
            cached = {
                k: v
                for k, v in (base.get("metadata") or {}).items()
                if not k.startswith(("langgraph_", "ls_"))
                and k not in PROPAGATED_IDS
                and k != "checkpoint_ns"
            }
            cached.update(node.metadata)
            tags = [t for t in base.get("tags") or () if not t.startswith("seq:")]
            if tags:
                cached["tags"] = tags
            self._start_meta[node.name] = cached
        return cached
