"""Run every benchmark and print one table: `make bench` or `python -m bench`."""

from __future__ import annotations

import os
import platform
from importlib import import_module

BENCHMARKS = [
    "bench.rules_eval",
    "bench.web",
    "bench.export",
    "bench.listing",
    "bench.dashboard",
    "bench.worklist",
    "bench.fhir",
]


def main() -> None:
    rows: list[tuple[str, str]] = []
    for name in BENCHMARKS:
        rows += import_module(name).run()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"machine: {os.cpu_count()} cores, {cpu}, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
