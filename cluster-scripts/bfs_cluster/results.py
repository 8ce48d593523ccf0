# SPDX-License-Identifier: BSD-3-Clause
"""Merges the clients' benchfs.result/1 or /2 files of one run into a summary:
per (op, size) the median and worst of the clients' p50 and p99, aggregate
ops/s and MiB/s, errors; per server the operations it served (from
server-status.json) and its share, so placement skew is visible, its RSS and
threads (before the clients, once all had connected, at peak) and what its
calls cost the clients; the connection set-up (launch until every client was
connected to every server) and the run's length (from run.json); and every
server a client excluded because it stopped answering."""
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


def _load_run(results_dir):
    try:
        with open(os.path.join(results_dir, "run.json")) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return {}


def _client_servers(clients):
    """Per server index: calls, failed, excluded_calls summed over the clients,
    how many clients excluded it and the first reason given."""
    per = {}
    for c in clients:
        for i, e in enumerate(c.get("setup", {}).get("per_server", [])):
            p = per.setdefault(i, {"server": e["server"], "calls": 0, "failed": 0, "excluded_calls": 0,
                                   "excluded_by": 0, "reason": ""})
            p["calls"] += e.get("calls", 0)
            p["failed"] += e.get("failed", 0)
            p["excluded_calls"] += e.get("excluded_calls", 0)
            if e.get("excluded"):
                p["excluded_by"] += 1
                p["reason"] = p["reason"] or e.get("reason", "")
    return per


def excluded_servers(results_dir, addresses=None):
    """The servers some client excluded, with what they cost: [{index, server,
    excluded_by, clients, failed, excluded_calls, calls_share, reason}]."""
    clients = load_clients(results_dir)
    per = _client_servers(clients)
    total = sum(p["calls"] for p in per.values()) or 1
    out = []
    for i, p in sorted(per.items()):
        if p["excluded_by"]:
            out.append({"index": i, "server": (addresses[i] if addresses and i < len(addresses) else p["server"]),
                        "excluded_by": p["excluded_by"], "clients": len(clients), "failed": p["failed"],
                        "excluded_calls": p["excluded_calls"], "calls_share": p["calls"] / total,
                        "reason": p["reason"]})
    return out


def describe_excluded(b, stopped=()):
    how = next((f" (SIGSTOPped {s['when']} by --stop-server)" for s in stopped if s["index"] == b["index"]), "")
    return (f"benchfsd {b['index']} ({b['server']}) stopped answering{how}: excluded by {b['excluded_by']} of "
            f"{b['clients']} clients, {b['failed']} failed calls, {100 * b['calls_share']:.1f} % of the calls "
            f"({b['excluded_calls']} failed at once after it was excluded); first: {b['reason']}")


def _setup(run, clients):
    """Connection set-up: launch until every client was connected to every server."""
    launched = run.get("clients_launched_at") or run.get("started_at")
    connected = [c["setup"]["connected_at"] for c in clients if "connected_at" in c.get("setup", {})]
    connect = [c["setup"]["connect_s"] for c in clients if "connect_s" in c.get("setup", {})]
    if not connected or not launched:
        return {}
    out = {"all_connected_s": max(connected) - launched, "connect_s_median": statistics.median(connect),
           "connect_s_max": max(connect)}
    if run.get("start_at"):
        out["start_delay_s"] = run["start_at"] - launched
        out["late_clients"] = sum(1 for t in connected if t > run["start_at"])
    if run.get("clients_spawned_at"):
        out["spawn_s"] = run["clients_spawned_at"] - launched
    return out


def _daemon_memory(run, setup):
    """Per server: RSS, threads and open files before the clients, once every client had
    connected (the last sample before the common start), and at peak."""
    samples = run.get("daemon_samples") or []
    if not samples:
        return []
    n = len(samples[0][1])
    launched = run.get("clients_launched_at", samples[0][0])
    connected_at = launched + setup["all_connected_s"] if setup else None
    before = next((s for s in samples if s[0] >= launched), samples[0])
    after = None
    if connected_at is not None:
        ready = [s for s in samples if s[0] >= connected_at and s[0] <= run.get("start_at", connected_at)]
        after = ready[-1] if ready else next((s for s in samples if s[0] >= connected_at), None)
    out = []
    for i in range(n):
        vals = [s[1][i] for s in samples if s[1][i]]
        e = {"rss_before_bytes": before[1][i][0] if before[1][i] else None,
             "fds_before": before[1][i][2] if before[1][i] and len(before[1][i]) > 2 else None,
             "rss_peak_bytes": max((v[0] for v in vals), default=None),
             "threads_peak": max((v[1] for v in vals), default=None),
             "fds_peak": max((v[2] for v in vals if len(v) > 2), default=None)}
        if after and after[1][i]:
            e["rss_connected_bytes"] = after[1][i][0]
            e["threads_connected"] = after[1][i][1]
            if len(after[1][i]) > 3:
                e["fds_connected"] = after[1][i][2]
                if before[1][i] and len(before[1][i]) > 3:
                    e["cpu_connecting_s"] = after[1][i][3] - before[1][i][3]
        out.append(e)
    return out


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
        for l in load:
            l["share"] = l["ops"] / (mean * len(load))
    run = _load_run(results_dir)
    setup = _setup(run, clients)
    memory = _daemon_memory(run, setup)
    per = _client_servers(clients)
    total_calls = sum(p["calls"] for p in per.values()) or 1
    if not load and (memory or per):
        load = [{"server": per[i]["server"] if i in per else str(i), "ops": None}
                for i in range(max(len(memory), len(per)))]
    for i, entry in enumerate(load):
        if i < len(memory):
            entry.update({k: v for k, v in memory[i].items() if v is not None})
        if i in per:
            entry["client_calls"] = per[i]["calls"]
            entry["client_share"] = per[i]["calls"] / total_calls
            entry["failed_calls"] = per[i]["failed"]
            entry["excluded_by"] = per[i]["excluded_by"]
    summary = {"schema": "benchfs.cluster-summary/1", "clients": len(clients),
               "manifest": clients[0]["manifest"] if clients else {}, "ops": ops, "servers": load,
               "busiest_over_mean": skew, "errors": sum(o["errors"] for o in ops), "setup": setup,
               "excluded_servers": excluded_servers(results_dir)}
    if run.get("clients_launched_at") and run.get("clients_done_at"):
        summary["clients_run_s"] = run["clients_done_at"] - run["clients_launched_at"]
    if run.get("started_at") and run.get("ended_at"):
        summary["run_s"] = run["ended_at"] - run["started_at"]
    connected = [e["rss_connected_bytes"] - e["rss_before_bytes"] for e in memory
                 if e.get("rss_connected_bytes") is not None and e.get("rss_before_bytes") is not None]
    if connected and clients:
        summary["rss_per_client_bytes"] = statistics.median(connected) / len(clients)
    cpu = [e["cpu_connecting_s"] for e in memory if e.get("cpu_connecting_s") is not None]
    if cpu and clients:
        summary["daemon_cpu_per_client_s"] = statistics.median(cpu) / len(clients)
    fds = [e["fds_connected"] - e["fds_before"] for e in memory
           if e.get("fds_connected") is not None and e.get("fds_before") is not None]
    if fds and clients:
        summary["fds_per_client"] = statistics.median(fds) / len(clients)
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
        if any(s.get("ops") is not None for s in summary["servers"]):
            parts = ", ".join(f"{s['server']}: {s['ops']}" for s in summary["servers"])
            lines.append(f"per-server operations: {parts}")
        for i, s in enumerate(summary["servers"]):
            facts = []
            if s.get("share") is not None:
                facts.append(f"share {100 * s['share']:.1f} %")
            if s.get("client_share") is not None:
                facts.append(f"calls {100 * s['client_share']:.1f} %, {s['failed_calls']} failed")
            if s.get("rss_before_bytes") is not None:
                mib = lambda b: f"{b / 2**20:.1f}"
                rss = f"RSS {mib(s['rss_before_bytes'])}"
                if s.get("rss_connected_bytes") is not None:
                    rss += f" -> {mib(s['rss_connected_bytes'])} connected"
                facts.append(rss + f", peak {mib(s['rss_peak_bytes'])} MiB, threads {s['threads_peak']}")
            if facts:
                lines.append(f"server {i} ({s['server']}): " + "; ".join(facts))
        for s in summary["servers"]:
            if "floors" in s:
                by = s["floors"]["storage_by_size"]
                sizes = "; ".join(f"{int(k) // 1024 if int(k) % 1024 == 0 else k}{'KiB' if int(k) % 1024 == 0 else 'B'} "
                                  f"write {v['write_p50_us']:.2f} read {v['read_p50_us']:.2f}" for k, v in by.items())
                lines.append(f"floors of {s['server']} (us): log append {s['floors']['log_append_p50_us']:.2f}; {sizes}")
        if summary["busiest_over_mean"] is not None:
            lines.append(f"busiest server / mean: {summary['busiest_over_mean']:.3f}")
    st = summary.get("setup") or {}
    if st:
        lines.append(f"set-up: every client connected to every server {st['all_connected_s']:.2f} s after launch "
                     f"(per client: median {st['connect_s_median']:.3f} s, max {st['connect_s_max']:.3f} s"
                     + (f"; {st['late_clients']} clients connected after the common start" if st.get("late_clients")
                        else "") + ")")
    if summary.get("clients_run_s") is not None:
        lines.append(f"clients ran {summary['clients_run_s']:.1f} s from launch; whole run {summary.get('run_s', 0):.1f} s;"
                     f" errors {summary['errors']}")
    if summary.get("rss_per_client_bytes") is not None:
        lines.append(f"daemon memory per connected client: {summary['rss_per_client_bytes'] / 1024:.1f} KiB "
                     "(median over the servers)"
                     + (f"; open files per client {summary['fds_per_client']:.2f}" if "fds_per_client" in summary
                        else "")
                     + (f"; daemon CPU per client connecting {1000 * summary['daemon_cpu_per_client_s']:.2f} ms"
                        if "daemon_cpu_per_client_s" in summary else ""))
    for b in summary.get("excluded_servers") or []:
        lines.append("excluded: " + describe_excluded(b))
    return "\n".join(lines)
