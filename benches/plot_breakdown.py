#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stacked bars of a bench small run's per-stage breakdown (--breakdown).

Usage: plot_breakdown.py RESULT.json OUT.png

One bar per row at p50 and one at p99, each split into the stages send,
queue, handler, storage, log and reply (microseconds); a row's measured
p50 / p99 is marked beside its bar, and its floor when it has one. The
legend names every colour and marker. benchfs --plot runs this script."""
import json
import sys

STAGES = [("send", "client send -> server receive"), ("queue", "queue"), ("handler", "handler work"),
          ("storage", "storage I/O"), ("log", "metadata log"), ("reply", "reply send -> client wake-up")]
COLOURS = ["#4c72b0", "#dd8452", "#937860", "#55a868", "#c44e52", "#8172b3"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_breakdown.py RESULT.json OUT.png")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot_breakdown.py: matplotlib is missing (Debian: apt-get install python3-matplotlib)")
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    rows = [r for r in doc["results"] if "breakdown" in r]
    if not rows:
        sys.exit("plot_breakdown.py: no row of %s has a breakdown (run bench small with --breakdown)" % sys.argv[1])
    fig, axes = plt.subplots(1, 2, figsize=(max(6, 1.1 * len(rows) + 3) * 2, 4.5))
    for ax, at in zip(axes, ("p50", "p99")):
        labels = []
        for i, r in enumerate(rows):
            band = r["breakdown"][at]
            bottom = 0.0
            for (key, title), colour in zip(STAGES, COLOURS):
                v = max(0.0, band[key + "_us"])
                ax.bar(i, v, bottom=bottom, color=colour, width=0.6, label=title if i == 0 else None)
                bottom += v
            ax.plot([i + 0.38], [r[at + "_us"]], marker="<", color="black", linestyle="none",
                    label=("measured " + at) if i == 0 else None)
            if at == "p50" and "floor_us" in r:
                ax.plot([i - 0.38], [r["floor_us"]], marker=">", color="tab:green", linestyle="none",
                        label="floor" if i == 0 else None)
            size = r["size"]
            labels.append(r["op"] + ("" if size == 0 else "\n%d KiB" % (size // 1024) if size % 1024 == 0
                                     else "\n%d B" % size))
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_ylabel("microseconds (mean of the calls around %s)" % at, fontsize=8)
        ax.set_title("where the time went at %s" % at, fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    m = doc.get("manifest", {})
    fig.suptitle("benchfs bench small - %s, transport %s, durability %s" %
                 (m.get("host", ""), m.get("transport", ""), m.get("durability", "")), fontsize=10)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=120)


if __name__ == "__main__":
    main()
