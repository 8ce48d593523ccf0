#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks that `benchfs sweep` measures what the standalone benchmarks measure.

Usage: benches/sweep_overhead.py [--build build/release] [--rounds 5] [--time 2s]

For the points whose knobs are the executor's defaults (polled, submit_timeout
0, complete_timeout 100ms, idle_spin 50us, ring_setup none) it runs, in
interleaved rounds, the sweep and the benchmark that measures the same thing:

  storage-write, storage-read  mean      vs benchfs-storage-bench BM_Chunk{Write,Read}4kQD1/uring
  rpc-ping (64 B)              mean      vs benchfs-rpc-bench BM_PingQD1/rpc/tcp/64
  e2e-write, e2e-read          p50, mean vs benchfs bench small against a benchfsd
                                          (sweep --server process; both daemons ring_setup none)

and the same end-to-end pair with both sides busy-polling (complete_timeout 0),
whose latency does not depend on whether a side happened to park. Prints each
round's figures and the median ratio sweep / standalone (goal: within 10 %).
UCX traffic stays on the loopback interface.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cluster-scripts"))
from bfs_cluster.readiness import ready_address  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


# benchfsd refuses to run as root unless told.
ROOT = ["--allow-root"] if os.geteuid() == 0 else []


def sweep(build, out, workloads, server, complete, seconds):
    run([f"{build}/bin/benchfs", "sweep", "--workloads", workloads, "--qds", "1", "--modes", "polled",
         "--submit-timeouts", "0", "--complete-timeouts", complete, "--idle-spins", "50us", "--ring-setups", "none",
         "--server", server, "--point-time", seconds, "--idle-window", "0", "--quiet", "--json", out]
        + (ROOT if server == "process" else []))
    with open(out) as f:
        return json.load(f)["points"]


def point(points, workload, complete_us):
    for p in points:
        k = p["knobs"]
        if (p["workload"] == workload and k["mode"] == "polled" and k["submit_timeout_us"] == 0 and
                k["complete_timeout_us"] == complete_us and k["idle_spin_us"] == 50):
            return p
    raise SystemExit(f"sweep_overhead: no {workload} point with complete_timeout {complete_us} us")


def gbench(binary, pattern, seconds, out):
    run([binary, f"--benchmark_filter={pattern}", f"--benchmark_min_time={seconds.rstrip('s')}",
         f"--benchmark_out={out}", "--benchmark_out_format=json"])
    with open(out) as f:
        data = json.load(f)
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}
    return {b["name"].split("/min_time")[0].split("/real_time")[0]: b["real_time"] * scale[b["time_unit"]]
            for b in data["benchmarks"]}


def bench_small(build, tmp, seconds, complete):
    data = os.path.join(tmp, "daemon")
    knobs = ["--ring-setup", "none", "--complete-timeout", complete]
    d = subprocess.Popen([f"{build}/bin/benchfsd", "--listen", "127.0.0.1:0", "--data-dir", data, "--log-level",
                          "warn"] + knobs + ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = d.stdout.readline()
        address = ready_address(line)
        if address is None:
            raise SystemExit(f"sweep_overhead: benchfsd did not report ready: {line!r}")
        out = os.path.join(tmp, "small.json")
        run([f"{build}/bin/benchfs", "-s", address] + knobs[2:] +
            ["bench", "small", "--ops", "write,read", "--sizes", "4KiB", "--files", "1", "--duration", seconds,
             "--json", out])
        run([f"{build}/bin/benchfs", "-s", address, "shutdown"])
        d.wait(timeout=30)
    finally:
        if d.poll() is None:
            d.kill()
            d.wait()
    with open(out) as f:
        return {r["op"]: r for r in json.load(f)["results"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--time", default="2s", help="measured time per figure")
    args = ap.parse_args()
    os.environ.setdefault("UCX_NET_DEVICES", "lo")
    rows = {}

    def add(name, sweep_us, standalone_us):
        rows.setdefault(name, []).append((sweep_us, standalone_us))

    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="benchfs-sweep-overhead-") as tmp:
            pts = sweep(args.build, os.path.join(tmp, "a.json"), "storage-write,storage-read,rpc-ping", "inprocess",
                        "100ms", args.time)
            gb = gbench(f"{args.build}/benches/benchfs-storage-bench", "BM_Chunk(Write|Read)4kQD1/uring$", args.time,
                        os.path.join(tmp, "s.json"))
            gb.update(gbench(f"{args.build}/benches/benchfs-rpc-bench", "BM_PingQD1/rpc/tcp/64/", args.time,
                             os.path.join(tmp, "r.json")))
            add("storage-write mean", point(pts, "storage-write", 100000)["mean_us"], gb["BM_ChunkWrite4kQD1/uring"])
            add("storage-read mean", point(pts, "storage-read", 100000)["mean_us"], gb["BM_ChunkRead4kQD1/uring"])
            add("rpc-ping mean", point(pts, "rpc-ping", 100000)["mean_us"], gb["BM_PingQD1/rpc/tcp/64"])
            for complete, complete_us, tag in (("100ms", 100000, ""), ("0", 0, " busy")):
                e2e = sweep(args.build, os.path.join(tmp, "e.json"), "e2e-write,e2e-read", "process", complete,
                            args.time)
                small = bench_small(args.build, tempfile.mkdtemp(dir=tmp), args.time, complete)
                for op in ("write", "read"):
                    p = point(e2e, "e2e-" + op, complete_us)
                    add(f"e2e-{op}{tag} p50", p["p50_us"], small[op]["p50_us"])
                    add(f"e2e-{op}{tag} mean", p["mean_us"], small[op]["mean_us"])
        time.sleep(1)

    print("%-22s %-s" % ("figure (us)", "rounds: sweep/standalone"))
    for name, vals in rows.items():
        ratios = [a / b for a, b in vals]
        print("%-22s %s  median %.2f / %.2f, median ratio %.3f" % (
            name, "  ".join("%.2f/%.2f" % v for v in vals), statistics.median(a for a, _ in vals),
            statistics.median(b for _, b in vals), statistics.median(ratios)))


if __name__ == "__main__":
    main()
