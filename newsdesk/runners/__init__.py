"""Chooses where the pipeline runs: in this process (``local``) or spread over a Ray cluster.

Both runners are a ``Pipeline``: the CLI's ``ingest`` and ``crawl`` drive either the same way,
and both store the same articles, copies and stories (docs/scale-out.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pipeline import Pipeline

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store

__all__ = ["RUNNERS", "open_pipeline"]

RUNNERS = ("local", "ray")


def open_pipeline(settings: "Settings", store: "Store", runner: str = "local",
                  address: str | None = None, workers: int | None = None) -> Pipeline:
    """Returns the pipeline of a runner; its ``close()`` also stops a Ray it started.

    ``address`` (``ray://host:10001``, ``host:6379`` or ``auto``) joins a running Ray cluster;
    without it the Ray runner starts a local Ray with ``workers`` CPUs (default: all).
    """
    if runner == "local":
        return Pipeline(settings, store=store)
    if runner == "ray":
        from .ray import RayPipeline

        return RayPipeline(settings, store, address=address, workers=workers)
    raise ValueError(f"runner: unknown runner {runner!r}; choose one of {', '.join(RUNNERS)}")
