#!/usr/bin/env python3
"""Prints the goal table for Google Benchmark JSON results.

Usage: benches/report.py RESULT.json [RESULT.json ...]

With --benchmark_repetitions the median aggregate of each benchmark is used;
otherwise its single run. Ratios are computed between benchmarks of the same
file, i.e. measured in the same run. The goals are the ones the project's
issues state; a missing benchmark is reported as not measured.
"""
import json
import re
import sys

# Google Benchmark appends run options to names ("/min_time:1.000",
# "/real_time", "/iterations:5"); goals use the bare names.
SUFFIX = re.compile(r"/(min_time:[0-9.]+|real_time|iterations:[0-9]+|repeats:[0-9]+)")


def bare(name):
    return SUFFIX.sub("", name)


def load(paths):
    runs = {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            name = bare(b.get("run_name", b["name"]))
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    runs[name] = b
            elif name not in runs or runs[name].get("run_type") != "aggregate":
                runs[name] = b
    return runs


def ns(b):
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b["real_time"] * scale


def counter_ns(b, key):
    # Google Benchmark stores kInvert rate counters in seconds.
    return b[key] * 1e9


# (label, function(runs) -> value or None, goal text, predicate on value)
GOALS = [
    ("BM_FiberSwitch ns per switch", lambda r: counter_ns(r["BM_FiberSwitch"], "ns_per_switch"),
     "<= 20 ns", lambda v: v <= 20),
    ("BM_SpawnJoin ns", lambda r: ns(r["BM_SpawnJoin"]), "<= 200 ns", lambda v: v <= 200),
    ("BM_NopQD1 executor / raw", lambda r: ns(r["BM_NopQD1/executor"]) / ns(r["BM_NopQD1/raw"]),
     "<= 1.20x", lambda v: v <= 1.2),
    ("BM_Read4kQD1 executor / raw",
     lambda r: ns(r["BM_Read4kQD1/executor"]) / ns(r["BM_Read4kQD1/raw"]), "<= 1.20x",
     lambda v: v <= 1.2),
    ("BM_NopQD1 timeouts 50ms/100ms / executor",
     lambda r: ns(r["BM_NopQD1/executor_timeouts_50ms_100ms"]) / ns(r["BM_NopQD1/executor"]),
     "within 10 %", lambda v: abs(v - 1) <= 0.10),
    ("BM_IdleCpu/park cpu %", lambda r: r["BM_IdleCpu/park"]["cpu_percent"],
     "< 2 %", lambda v: v < 2),
]


def rpc_ratio(tl, size):
    return lambda r: ns(r[f"BM_PingQD1/rpc/{tl}/{size}"]) / ns(r[f"BM_PingQD1/raw_ucx/{tl}/{size}"])


for tl in ("tcp", "shm"):
    for size in (64, 4096):
        GOALS.append((f"BM_PingQD1 rpc / raw_ucx {tl} {size} B", rpc_ratio(tl, size), "<= 1.15x",
                      lambda v: v <= 1.15))
GOALS.append(("BM_PingQD64/rpc/shm calls/s", lambda r: r["BM_PingQD64/rpc/shm"]["items_per_second"],
              ">= 200000", lambda v: v >= 200000))


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = load(sys.argv[1:])
    print(f"{'benchmark':<44} {'median':>14}")
    for name, b in sorted(runs.items()):
        print(f"{name:<44} {ns(b):>12.1f} ns")
    print()
    print(f"{'goal':<42} {'measured':>10}  {'target':<12} verdict")
    for label, fn, goal, ok in GOALS:
        try:
            v = fn(runs)
        except KeyError:
            continue
        print(f"{label:<42} {v:>10.3f}  {goal:<12} {'met' if ok(v) else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
