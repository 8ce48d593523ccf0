#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Prints the goal table for Google Benchmark JSON results.

Usage: benches/report.py RESULT.json [RESULT.json ...] [--fio FIO.json]

--fio takes fio's JSON output (--output-format=json) of the QD32 comparison
run on the same file system, e.g.
  fio --name=qd32 --ioengine=io_uring --iodepth=32 --bs=4k --rw=randwrite \
      --size=16M --direct=0 --time_based --runtime=5 --filename=DIR/file \
      --output-format=json --output=FIO.json

With --benchmark_repetitions the median aggregate of each benchmark is used;
otherwise its single run. Ratios are computed between benchmarks of the same
file, i.e. measured in the same run. The goals are the ones the project's
issues state; a benchmark that is missing leaves its goal out. Rows whose
target is "reported" have no goal: they show a price (e.g. of durability).
"""
import json
import re
import sys

# Google Benchmark appends run options to names ("/min_time:1.000",
# "/real_time", "/iterations:5"); goals use the bare names.
SUFFIX = re.compile(r"/(min_time:[0-9.]+|real_time|iterations:[0-9]+|repeats:[0-9]+)")


def bare(name):
    return SUFFIX.sub("", name)


def load_fio_iops(path):
    with open(path) as f:
        data = json.load(f)
    return sum(job["write"]["iops"] for job in data.get("jobs", []))


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
    # Storage (issue 4): benchfs-storage-bench.
    ("BM_ChunkWrite4kQD1 uring / raw",
     lambda r: ns(r["BM_ChunkWrite4kQD1/uring"]) / ns(r["BM_RawUringWrite4kQD1"]), "<= 1.15x",
     lambda v: v <= 1.15),
    ("BM_ChunkRead4kQD1 uring / raw",
     lambda r: ns(r["BM_ChunkRead4kQD1/uring"]) / ns(r["BM_RawUringRead4kQD1"]), "<= 1.15x",
     lambda v: v <= 1.15),
    ("BM_ChunkWrite4kQD32/uring IOPS", lambda r: r["BM_ChunkWrite4kQD32/uring"]["iops"],
     "reported", None),
    ("BM_ChunkWrite4kQD32/uring / fio QD32",
     lambda r: r["BM_ChunkWrite4kQD32/uring"]["iops"] / r["__fio_iops"], ">= 0.80x",
     lambda v: v >= 0.8),
    ("BM_ChunkWrite4kQD32/uring_ring_none / fio",
     lambda r: r["BM_ChunkWrite4kQD32/uring_ring_none"]["iops"] / r["__fio_iops"],
     "reported", None),
    ("BM_ChunkWrite4kQD1 uring_fsync / uring",
     lambda r: ns(r["BM_ChunkWrite4kQD1/uring_fsync"]) / ns(r["BM_ChunkWrite4kQD1/uring"]),
     "reported", None),
    ("BM_MetaCreateLocal ns", lambda r: ns(r["BM_MetaCreateLocal"]), "<= 200 ns", lambda v: v <= 200),
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
    args = sys.argv[1:]
    fio = None
    if "--fio" in args:
        i = args.index("--fio")
        if i + 1 >= len(args):
            print("--fio needs a file", file=sys.stderr)
            return 2
        fio = args[i + 1]
        del args[i:i + 2]
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = load(args)
    if fio is not None:
        runs["__fio_iops"] = load_fio_iops(fio)
    print(f"{'benchmark':<44} {'median':>14}")
    for name, b in sorted(runs.items()):
        if name.startswith("__"):
            continue
        print(f"{name:<44} {ns(b):>12.1f} ns")
    if fio is not None:
        print(f"{'fio io_uring QD32 4k randwrite':<44} {runs['__fio_iops']:>12.0f} IOPS")
    print()
    print(f"{'goal':<42} {'measured':>10}  {'target':<12} verdict")
    for label, fn, goal, ok in GOALS:
        try:
            v = fn(runs)
        except KeyError:
            continue
        verdict = "-" if ok is None else ("met" if ok(v) else "MISSED")
        print(f"{label:<42} {v:>10.3f}  {goal:<12} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
