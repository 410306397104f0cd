"""Run every benchmark and print one table: `make bench` or `python -m bench`."""

from __future__ import annotations

import platform
from importlib import import_module

BENCHMARKS = ["bench.rules_eval", "bench.web"]


def main() -> None:
    rows: list[tuple[str, str]] = []
    for name in BENCHMARKS:
        rows += import_module(name).run()
    print(f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
