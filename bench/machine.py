"""Describes the machine a benchmark ran on, for the header line of its table."""

from __future__ import annotations

import os
import platform

__all__ = ["describe_machine"]


def describe_machine(*extras: str) -> str:
    """Returns "CPU model, N cores, Python X.Y.Z" followed by ``extras`` (library versions)."""
    cpu = platform.processor() or platform.machine() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return ", ".join([cpu, f"{os.cpu_count()} cores", f"Python {platform.python_version()}",
                      *extras])
