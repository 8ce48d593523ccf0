# SPDX-License-Identifier: BSD-3-Clause
"""Sweeps: a params file lists values per dimension; every combination is
one run in its own folder under one sweep folder. A point whose run.json
says complete is not run again, so an interrupted sweep resumes where it
stopped.

  [sweep]
  sizes = ["4KiB", "16KiB"]                 # benchfs --sizes
  qd = [1, 8]                               # benchfs --qd
  timeouts = [["0", "0"], ["50ms", "100ms"]]  # submit, complete (both sides)
  durability = ["none", "fsync"]            # benchfsd --durability
  backend = ["uring"]                       # benchfsd --backend
  servers = [1, 2]                          # server nodes
"""
import copy
import csv
import itertools
import json
import os
import tomllib

DIMENSIONS = ("sizes", "qd", "timeouts", "durability", "backend", "servers")


class SweepError(Exception):
    pass


def load(path):
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SweepError(f"{path}: {e}") from e
    table = data.get("sweep")
    if not isinstance(table, dict):
        raise SweepError(f"{path}: needs a [sweep] table")
    for key, values in table.items():
        if key not in DIMENSIONS:
            raise SweepError(f"{path}: unknown dimension '{key}' (known: {', '.join(DIMENSIONS)})")
        if not isinstance(values, list) or not values:
            raise SweepError(f"{path}: '{key}' must be a non-empty list")
        if key == "timeouts" and any(not isinstance(v, list) or len(v) != 2 for v in values):
            raise SweepError(f"{path}: 'timeouts' entries are [submit, complete] pairs")
    return table


def points(table):
    keys = [k for k in DIMENSIONS if k in table]
    for combo in itertools.product(*(table[k] for k in keys)):
        yield dict(zip(keys, combo))


def name(i, point):
    parts = [f"p{i:03d}"]
    for k, v in point.items():
        text = "-".join(v) if isinstance(v, list) else str(v)
        parts.append(f"{k}{text}")
    return "_".join(parts).replace("/", "")


def apply(spec, point):
    """The run description of one point."""
    s = copy.deepcopy(spec)
    bench = list(s.bench)
    if "sizes" in point:
        bench += ["--sizes", str(point["sizes"])]
    if "qd" in point:
        bench += ["--qd", str(point["qd"])]
    if "timeouts" in point:
        submit, complete = point["timeouts"]
        knobs = ["--submit-timeout", str(submit), "--complete-timeout", str(complete)]
        s.daemon_args = s.daemon_args + knobs
        s.client_args = s.client_args + knobs
    if "durability" in point:
        s.daemon_args = s.daemon_args + ["--durability", str(point["durability"])]
    if "backend" in point:
        s.daemon_args = s.daemon_args + ["--backend", str(point["backend"])]
    if "servers" in point:
        s.server_nodes = int(point["servers"])
    s.bench = bench
    return s


def finished(point_dir):
    try:
        with open(os.path.join(point_dir, "run.json")) as f:
            return json.load(f).get("status") == "complete"
    except (OSError, json.JSONDecodeError):
        return False


def write_summary(sweep_dir, rows):
    path = os.path.join(sweep_dir, "sweep.csv")
    fields = ["point", *DIMENSIONS, "op", "size", "clients", "errors", "p50_us_median", "p99_us_max",
              "ops_per_s", "mib_per_s", "busiest_over_mean"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path
