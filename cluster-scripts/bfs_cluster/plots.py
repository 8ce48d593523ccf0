# SPDX-License-Identifier: BSD-3-Clause
"""Plots of a run's summary (PNG and SVG, matplotlib): latency per
operation and size (median p50 and worst p99 over clients), and operations
per server."""
import os


def render(summary, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    os.makedirs(out_dir, exist_ok=True)
    made = []
    ops = summary.get("ops", [])
    if ops:
        labels = [o["op"] + ("" if not o["size"] else f"\n{o['size'] // 1024 if o['size'] % 1024 == 0 else o['size']}"
                             f"{'KiB' if o['size'] % 1024 == 0 else 'B'}") for o in ops]
        x = range(len(ops))
        fig, ax = plt.subplots(figsize=(max(6, len(ops) * 0.9), 4))
        ax.bar([i - 0.2 for i in x], [o["p50_us_median"] for o in ops], width=0.4, label="p50 (median of clients)")
        ax.bar([i + 0.2 for i in x], [o["p99_us_max"] for o in ops], width=0.4, label="p99 (worst client)")
        floored = [(i, o["floor_us_median"]) for i, o in zip(x, ops) if "floor_us_median" in o]
        if floored:
            ax.plot([i - 0.2 for i, _ in floored], [f for _, f in floored], linestyle="none", marker="_",
                    markersize=18, color="black", label="floor (median of clients)")
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels)
        ax.set_yscale("log")
        ax.set_ylabel("latency (µs)")
        m = summary.get("manifest", {})
        ax.set_title(f"BenchFS {summary.get('clients', 0)} clients - {m.get('transport', '')} "
                     f"{m.get('backend', '')}/{m.get('durability', '')}")
        ax.legend()
        fig.tight_layout()
        for ext in ("png", "svg"):
            path = os.path.join(out_dir, f"latency.{ext}")
            fig.savefig(path)
            made.append(path)
        plt.close(fig)
    # Servers whose operations are known (server-status.json was gathered).
    servers = [s for s in summary.get("servers", []) if s.get("ops") is not None]
    if servers:
        fig, ax = plt.subplots(figsize=(max(4, len(servers) * 1.2), 3.5))
        ax.bar(range(len(servers)), [s["ops"] for s in servers], label="operations served")
        mean = sum(s["ops"] for s in servers) / len(servers)
        ax.axhline(mean, color="gray", linestyle="--", label="mean")
        ax.set_xticks(range(len(servers)))
        ax.set_xticklabels([str(s["server"]) for s in servers], rotation=20, fontsize=7)
        ax.set_ylabel("operations served")
        skew = summary.get("busiest_over_mean")
        ax.set_title("per-server load" + (f" (busiest / mean = {skew:.2f})" if skew else ""))
        ax.legend()
        fig.tight_layout()
        for ext in ("png", "svg"):
            path = os.path.join(out_dir, f"server-load.{ext}")
            fig.savefig(path)
            made.append(path)
        plt.close(fig)
    return made
