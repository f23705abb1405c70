"""Which process of a build holds the memory, and when: a command's process tree sampled.

Runs a command (a `paper-collection build`, say), reads the resident memory of every process in
its tree twice a second from /proc, and stamps each line the command writes to stderr with the
time it came. The peak of `/usr/bin/time` is the largest process's, and a build forks workers
(pages, search index, map, exports): this says which one it was and what the build was doing.

    .venv/bin/python -m benchmarks.memory_timeline --json timeline.json -- \\
        .venv/bin/python -m paper_collection --root PROJECT build

Linux only (/proc). Prints each process's peak (MB), when it was reached and when the process
was first and last seen, then the build's log lines with their times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree(pid: int) -> list[int]:
    """`pid` and its descendants, as /proc lists them now."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split():
                found += tree(int(child))
    except OSError:
        pass  # ended meanwhile
    return found


def resident_mb(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE // 1_000_000
    except (OSError, IndexError, ValueError):
        return None


def sample(command: list[str], every: float = 0.5) -> dict:
    start = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append((round(time.monotonic() - start, 1), line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples: list[tuple[float, dict[int, int]]] = []
    while process.poll() is None:
        row = {pid: mb for pid in tree(process.pid) if (mb := resident_mb(pid)) is not None}
        samples.append((round(time.monotonic() - start, 1), row))
        time.sleep(every)
    reader.join(timeout=5)
    return {"command": command, "pid": process.pid, "returncode": process.returncode,
            "seconds": round(time.monotonic() - start, 1), "samples": samples, "lines": lines}


def summary(result: dict) -> str:
    peaks: dict[int, tuple[int, float]] = {}
    seen: dict[int, list[float]] = {}
    for at, row in result["samples"]:
        for pid, mb in row.items():
            if mb > peaks.get(pid, (-1, 0.0))[0]:
                peaks[pid] = (mb, at)
            seen.setdefault(pid, [at, at])[1] = at
    out = [f"{' '.join(result['command'])}: exit {result['returncode']} after {result['seconds']} s"]
    for pid, (mb, at) in sorted(peaks.items(), key=lambda item: -item[1][0]):
        role = "the command" if pid == result["pid"] else "a child"
        out.append(f"  {mb:6d} MB at {at:7.1f} s  pid {pid} ({role}, seen {seen[pid][0]}-{seen[pid][1]} s)")
    out += [f"  {at:7.1f} s  {line}" for at, line in result["lines"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write every sample and log line here")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    result = sample(command, args.every)
    if args.json:
        args.json.write_text(json.dumps(result) + "\n", encoding="utf-8")
    print(summary(result))
    return 0 if result["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
