#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots a `benchfs sweep` result (JSON, schema benchfs.sweep/1).

Usage: benches/plot_sweep.py SWEEP.json [--out DIR] [--prefix NAME] [--metric p99|p50]

Writes, each as PNG and SVG:
  NAME-heatmap   the timeout plane: one panel per workload and reactor mode,
                 (submit_timeout, complete_timeout) across, queue depth down,
                 colour = latency (log scale); points the quantization
                 detector flagged are marked with a '*'.
  NAME-pareto    latency against CPU (cores of both sides under load), one
                 panel per workload and queue depth: polled points, gated
                 points, flagged points, the Pareto front as a line and the
                 recommended settings circled.

Uses Debian's python3-matplotlib (hence /usr/bin/python3), no network, no
other dependency.
"""
import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

# Reproducible SVGs: no random ids, no timestamps.
matplotlib.rcParams["svg.hashsalt"] = "benchfs-sweep"


def fmt_us(us):
    if us >= 1e6:
        return "%.2fs" % (us / 1e6)
    if us >= 1000:
        return "%.0fms" % (us / 1000) if us >= 10000 else "%.1fms" % (us / 1000)
    if us >= 100:
        return "%.0fus" % us
    return "%.1fus" % us


def fmt_dur(us):
    if us == 0:
        return "0"
    if us >= 1000 and us % 1000 == 0:
        return "%dms" % (us // 1000)
    if us >= 1:
        return "%gus" % us
    return "%gns" % (us * 1000)


def load(path):
    with open(path) as f:
        doc = json.load(f)
    if doc.get("schema") != "benchfs.sweep/1":
        sys.exit("plot_sweep: %s is not a benchfs.sweep/1 result (schema %r)" % (path, doc.get("schema")))
    return doc


def measured(p):
    return not p["error"] and p["count"] > 0


def save(fig, out, name):
    for ext in ("png", "svg"):
        path = os.path.join(out, "%s.%s" % (name, ext))
        fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        print(path)


def heatmap(doc, metric, out, name):
    pts = [p for p in doc["points"] if measured(p) and p["plane"] in ("timeout", "zero", "cross")]
    base = doc["manifest"]["base"]
    # The timeout plane holds the base idle_spin / ring setup / batch; cross grids may hold more.
    pts = [p for p in pts if p["knobs"]["idle_spin_us"] == base["idle_spin_us"]
           and p["knobs"]["ring_setup"] == base["ring_setup"] and p["knobs"]["submit_batch"] == base["submit_batch"]]
    if not pts:
        print("plot_sweep: no timeout-plane points to draw a heatmap from", file=sys.stderr)
        return
    workloads = [w for w in doc["manifest"]["axes"]["workloads"] if any(p["workload"] == w for p in pts)]
    modes = [m for m in ("polled", "gated") if any(p["knobs"]["mode"] == m for p in pts)]
    pairs = sorted({(p["knobs"]["submit_timeout_us"], p["knobs"]["complete_timeout_us"]) for p in pts})
    qds = sorted({p["qd"] for p in pts})
    values = [p[metric + "_us"] for p in pts]
    norm = LogNorm(vmin=max(min(values), 0.1), vmax=max(values))
    fig, axes = plt.subplots(len(workloads), len(modes), squeeze=False,
                             figsize=(1.1 * len(pairs) * len(modes) + 2.5, 0.5 * len(qds) * len(workloads) + 2.2),
                             gridspec_kw={"hspace": 0.35, "wspace": 0.12})
    image = None
    for r, w in enumerate(workloads):
        for c, m in enumerate(modes):
            ax = axes[r][c]
            grid = [[math.nan] * len(pairs) for _ in qds]
            marks = []
            for p in pts:
                if p["workload"] != w or p["knobs"]["mode"] != m:
                    continue
                i = qds.index(p["qd"])
                j = pairs.index((p["knobs"]["submit_timeout_us"], p["knobs"]["complete_timeout_us"]))
                grid[i][j] = p[metric + "_us"]
                marks.append((i, j, p[metric + "_us"], p["quantization"] is not None))
            image = ax.imshow(grid, norm=norm, cmap="viridis", aspect="auto")
            for i, j, v, flagged in marks:
                colour = "white" if norm(v) < 0.6 else "black"
                ax.text(j, i, fmt_us(v) + ("*" if flagged else ""), ha="center", va="center", fontsize=7, color=colour)
            ax.set_yticks(range(len(qds)))
            ax.set_yticklabels(["qd %d" % q for q in qds], fontsize=7)
            ax.set_xticks(range(len(pairs)))
            ax.set_title("%s, %s" % (w, m), fontsize=8, pad=3)
            if r == len(workloads) - 1:
                ax.set_xticklabels(["%s\n%s" % (fmt_dur(s), fmt_dur(cc)) for s, cc in pairs], fontsize=7)
                ax.set_xlabel("submit_timeout / complete_timeout", fontsize=8)
            else:
                ax.set_xticklabels([])
    fig.suptitle("%s by reactor timeouts and queue depth (knobs on both sides; * = quantized)\n%s, %s" %
                 (metric, doc["manifest"].get("host", ""), doc["manifest"].get("kernel", "")), fontsize=9)
    cbar = fig.colorbar(image, ax=axes, shrink=0.6)
    cbar.set_label("%s latency (us, log)" % metric, fontsize=8)
    save(fig, out, name + "-heatmap")
    plt.close(fig)


def pareto(doc, metric, out, name):
    pts = [p for p in doc["points"] if measured(p)]
    groups = []
    for p in pts:
        g = (p["workload"], p["qd"])
        if g not in groups:
            groups.append(g)
    if not groups:
        print("plot_sweep: no measured points", file=sys.stderr)
        return
    recommended = {}
    for rec in doc.get("recommendations", []):
        if rec["point"] is not None:
            budget = rec["budget"]
            label = "mostly idle" if budget["mostly_idle"] else (
                "no limit" if budget["cores"] is None else "<= %g core%s" % (budget["cores"], "" if budget["cores"] == 1 else "s"))
            recommended.setdefault(rec["point"], []).append(label)
    cols = min(4, len(groups))
    rows = (len(groups) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, squeeze=False, figsize=(4.2 * cols, 3.3 * rows))
    for k, (w, qd) in enumerate(groups):
        ax = axes[k // cols][k % cols]
        mine = [p for p in pts if p["workload"] == w and p["qd"] == qd]
        for label, pick, style in (
                ("polled", lambda p: p["knobs"]["mode"] == "polled" and p["quantization"] is None,
                 dict(marker="o", color="tab:blue", alpha=0.7)),
                ("gated", lambda p: p["knobs"]["mode"] == "gated" and p["quantization"] is None,
                 dict(marker="s", color="tab:orange", alpha=0.7)),
                ("quantized", lambda p: p["quantization"] is not None, dict(marker="x", color="tab:red"))):
            sel = [p for p in mine if pick(p)]
            if sel:
                ax.scatter([p["cpu"]["cores"] for p in sel], [p[metric + "_us"] for p in sel], s=18, label=label,
                           **style)
        front = sorted((p for p in mine if p["pareto"]), key=lambda p: p["cpu"]["cores"])
        if front:
            ax.plot([p["cpu"]["cores"] for p in front], [p[metric + "_us"] for p in front], color="black",
                    linewidth=1, label="Pareto front")
        legend_lines = []
        for p in mine:
            if p["id"] not in recommended:
                continue
            k = len(legend_lines) + 1
            x, y = p["cpu"]["cores"], p[metric + "_us"]
            ax.scatter([x], [y], s=120, facecolors="none", edgecolors="green", linewidths=1.5,
                       label="recommended (numbered)" if k == 1 else None)
            ax.annotate(str(k), (x, y), textcoords="offset points", xytext=(-9, 5), fontsize=7, color="green")
            legend_lines.append("%d: %s - %s s=%s c=%s spin=%s" % (
                k, ", ".join(recommended[p["id"]]), p["knobs"]["mode"], fmt_dur(p["knobs"]["submit_timeout_us"]),
                fmt_dur(p["knobs"]["complete_timeout_us"]), fmt_dur(p["knobs"]["idle_spin_us"])))
        if legend_lines:
            ax.text(0.02, 0.02, "\n".join(legend_lines), transform=ax.transAxes, fontsize=5.5, color="green",
                    va="bottom", ha="left", bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        ax.set_yscale("log")
        ax.set_title("%s, qd %d" % (w, qd), fontsize=9)
        ax.set_xlabel("cores under load (both sides)", fontsize=8)
        ax.set_ylabel("%s (us)" % metric, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="both", alpha=0.2)
        # Every panel explains its own markers.
        ax.legend(fontsize=6, loc="upper right")
    for k in range(len(groups), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle("%s latency against CPU; recommended settings circled (%s)" %
                 (metric, doc["manifest"].get("host", "")), fontsize=10)
    fig.tight_layout()
    save(fig, out, name + "-pareto")
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="benchfs sweep --json output")
    ap.add_argument("--out", help="directory for the plots (default: the JSON's)")
    ap.add_argument("--prefix", default="sweep", help="file name prefix (default: sweep)")
    ap.add_argument("--metric", choices=("p50", "p99"), default="p99", help="latency to plot (default: p99)")
    args = ap.parse_args()
    doc = load(args.json)
    out = args.out or os.path.dirname(os.path.abspath(args.json))
    os.makedirs(out, exist_ok=True)
    heatmap(doc, args.metric, out, args.prefix)
    pareto(doc, args.metric, out, args.prefix)


if __name__ == "__main__":
    main()
