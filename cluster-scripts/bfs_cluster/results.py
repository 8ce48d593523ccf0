"""Merges the clients' benchfs.result/1 or /2 files of one run into a summary:
per (op, size) the median and worst of the clients' p50 and p99, aggregate
ops/s and MiB/s, errors; and per server the operations it served (from
server-status.json), so placement skew is visible."""
import csv
import glob
import json
import os
import re
import statistics

LOAD_OPS = ("op.write_chunk", "op.read_chunk", "op.meta_create", "op.meta_stat", "op.meta_delete",
            "op.meta_update")


def load_clients(results_dir):
    clients = []
    for path in sorted(glob.glob(os.path.join(results_dir, "client-*.json")),
                       key=lambda p: int(re.search(r"client-(\d+)\.json$", p).group(1))):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError):
            continue
        if doc.get("schema") in ("benchfs.result/1", "benchfs.result/2"):
            clients.append(doc)
    return clients


def server_load(results_dir):
    path = os.path.join(results_dir, "server-status.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        doc = json.load(f)
    load = []
    for s in doc.get("servers", []):
        counters = s.get("counters", {})
        load.append({"server": s.get("server"), "ops": sum(counters.get(k, 0) for k in LOAD_OPS),
                     "threads": counters.get("threads"), "rss_bytes": counters.get("rss_bytes")})
    return load


def summarize(results_dir):
    clients = load_clients(results_dir)
    rows = {}
    for c in clients:
        for r in c.get("results", []):
            rows.setdefault((r["op"], r["size"]), []).append(r)
    ops = []
    for (op, size), rs in rows.items():
        p50s = [r["p50_us"] for r in rs]
        p99s = [r["p99_us"] for r in rs]
        row = {"op": op, "size": size, "clients": len(rs), "count": sum(r["count"] for r in rs),
               "errors": sum(r["errors"] for r in rs), "p50_us_median": statistics.median(p50s),
               "p50_us_max": max(p50s), "p99_us_median": statistics.median(p99s), "p99_us_max": max(p99s),
               "ops_per_s": sum(r["ops_per_s"] for r in rs), "mib_per_s": sum(r["mib_per_s"] for r in rs)}
        # Floors (bench --baseline): each client's, against the first server.
        floors = [r["floor_us"] for r in rs if "floor_us" in r]
        if floors:
            row["floor_us_median"] = statistics.median(floors)
            row["ratio_median"] = statistics.median(r["ratio"] for r in rs if "ratio" in r)
            row["floor_suspect_clients"] = sum(1 for r in rs if r.get("floor_suspect"))
        # Breakdown (bench --breakdown): the clients' p50 stages, median per stage.
        stages = [r["breakdown"]["p50"] for r in rs if "breakdown" in r]
        if stages:
            row["breakdown_p50_us"] = {k: statistics.median(s[k] for s in stages) for k in stages[0]
                                       if k.endswith("_us")}
        ops.append(row)
    load = server_load(results_dir)
    # Each server's own storage floors (bench --baseline over several servers), from the first
    # client that measured them.
    floors = next((c["baseline"]["servers"] for c in clients
                   if c.get("baseline", {}).get("servers")), [])
    for entry in load or []:
        mine = next((f for f in floors if f["server"] == entry["server"]), None)
        if mine:
            entry["floors"] = {"log_append_p50_us": mine["log_append_p50_us"],
                               "storage_by_size": mine["storage_by_size"]}
    skew = None
    if load and sum(l["ops"] for l in load) > 0:
        mean = sum(l["ops"] for l in load) / len(load)
        skew = max(l["ops"] for l in load) / mean
    summary = {"schema": "benchfs.cluster-summary/1", "clients": len(clients),
               "manifest": clients[0]["manifest"] if clients else {}, "ops": ops, "servers": load,
               "busiest_over_mean": skew}
    with open(os.path.join(results_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(results_dir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        fields = ["op", "size", "clients", "count", "errors", "p50_us_median", "p50_us_max", "p99_us_median",
                  "p99_us_max", "ops_per_s", "mib_per_s", "floor_us_median", "ratio_median"]
        w.writerow(fields)
        for o in ops:
            w.writerow([o.get(k, "") for k in fields])
    return summary


def table(summary):
    floors = any("floor_us_median" in o for o in summary["ops"])
    lines = [f"{'op':<7} {'size':>7} {'clients':>7} {'count':>9} {'errors':>6} {'p50 med':>9} {'p50 max':>9} "
             f"{'p99 max':>9} {'ops/s':>11} {'MiB/s':>9}" + (f" {'floor med':>9} {'p50/floor':>9}" if floors else "")]
    for o in summary["ops"]:
        size = "-" if not o["size"] else (f"{o['size'] // 1024}KiB" if o["size"] % 1024 == 0 else f"{o['size']}B")
        lines.append(f"{o['op']:<7} {size:>7} {o['clients']:>7} {o['count']:>9} {o['errors']:>6} "
                     f"{o['p50_us_median']:>9.2f} {o['p50_us_max']:>9.2f} {o['p99_us_max']:>9.2f} "
                     f"{o['ops_per_s']:>11.0f} {o['mib_per_s']:>9.1f}" +
                     (f" {o['floor_us_median']:>9.2f} {o['ratio_median']:>8.2f}x" if "floor_us_median" in o
                      else ""))
    if summary["servers"]:
        parts = ", ".join(f"{s['server']}: {s['ops']}" for s in summary["servers"])
        lines.append(f"per-server operations: {parts}")
        for s in summary["servers"]:
            if "floors" in s:
                by = s["floors"]["storage_by_size"]
                sizes = "; ".join(f"{int(k) // 1024 if int(k) % 1024 == 0 else k}{'KiB' if int(k) % 1024 == 0 else 'B'} "
                                  f"write {v['write_p50_us']:.2f} read {v['read_p50_us']:.2f}" for k, v in by.items())
                lines.append(f"floors of {s['server']} (us): log append {s['floors']['log_append_p50_us']:.2f}; {sizes}")
        if summary["busiest_over_mean"] is not None:
            lines.append(f"busiest server / mean: {summary['busiest_over_mean']:.3f}")
    return "\n".join(lines)
