"""CLI start-up: how long a person waits for ``servesell --help`` and for one decision.

Plays ``servesell demo`` into a temporary SQLite database, then times, as a person types
them (a fresh process each, the median of ``--runs``): ``servesell --help``,
``servesell decide --help`` and ``servesell decide CUSTOMER`` on the demo database.
``import_modules`` counts the modules ``import servesell.cli`` loads; each ``*_cpu_s`` is
the CPU time of the same command, which a busy machine disturbs less than the wall clock.
servesell's own modules are byte-compiled first, as ``pip install`` leaves them (and as
Python caches them after a first run): an environment with ``PYTHONDONTWRITEBYTECODE``
set would otherwise recompile ~0.2 s of source on every command (``bytecode_compiled``).
Prints one JSON line. Goals: help <= 0.5 s, decide <= 1 s (issue 15).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import servesell

CLI = [sys.executable, "-m", "servesell.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50_000, help="size of the demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compiled = _byte_compile()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        _run([*CLI, "demo", "--customers", str(args.customers), "--db", url])
        commands = {
            "help": [*CLI, "--help"],
            "decide_help": [*CLI, "decide", "--help"],
            "decide": [*CLI, "decide", "C0000001", "--db", url],
        }
        result: dict[str, object] = {}
        for name, cmd in commands.items():
            result[f"{name}_s"], result[f"{name}_cpu_s"] = _median(cmd, args.runs)
        result.update(
            {
                "import_modules": _modules(),
                "bytecode_compiled": compiled,
                "customers": args.customers,
                "load_average": round(os.getloadavg()[0], 2),
                "goal_help_s": 0.5,
                "goal_decide_s": 1.0,
            }
        )
    print(json.dumps(result))


def _byte_compile() -> bool:
    """Write servesell's bytecode cache, as an installed package has it."""
    return all(compileall.compile_dir(path, quiet=1) for path in servesell.__path__)


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _median(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``cmd`` over ``runs`` fresh processes."""
    took, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        _run(cmd)
        took.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return round(statistics.median(took), 3), round(statistics.median(cpu), 3)


def _modules() -> int:
    code = "import sys, servesell.cli; print(len(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(done.stdout)


if __name__ == "__main__":
    main()
