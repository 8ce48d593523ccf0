# SPDX-License-Identifier: BSD-3-Clause
"""IOR and mdtest (the IO500 tools) as the benchmark of a run: their ranks
start under mpirun on the first client node, against the servers the run
started (-a BENCHFS --benchfs.servers=...), and their output is parsed into a
summary. The io500-lite preset runs the IO500 phases at sizes that fit one
small machine, on BenchFS and with IOR's POSIX backend on a local directory,
and scores both as IO500 does."""
import csv
import dataclasses
import json
import math
import os
import re

TOOLS = ("ior", "mdtest", "io500-lite")
IO500_BACKENDS = ("BENCHFS", "POSIX")

# io500-lite sizes, per rank. IO500 runs each write phase for 300 s; these
# make each phase take about a second on a 2-core machine.
EASY_XFER = "1m"
EASY_BLOCK = "64m"
HARD_XFER = 47008          # IO500's ior-hard transfer (and block) size
HARD_SEGMENTS = 1000       # transfers per rank in the shared file
MDTEST_EASY_FILES = 2000   # files per rank, empty, one directory per rank
MDTEST_HARD_FILES = 1000   # files per rank, 3901 bytes, one shared directory
MDTEST_HARD_BYTES = 3901

ERROR_LINE = re.compile(r"\bERROR\b|Incorrect data|MPI_ABORT|MPI_Abort")


@dataclasses.dataclass
class Step:
    name: str      # file stem of its output (ior, mdtest, ior-easy-write-BENCHFS, ...)
    tool: str      # ior or mdtest
    args: list     # the tool's arguments, backend options included
    phase: str = ""    # io500-lite: ior-easy-write, mdtest-hard-stat, ...
    backend: str = ""  # io500-lite: BENCHFS or POSIX


def backend_args(servers, ucx_tls):
    """-a BENCHFS and where the servers are: `servers` is their address list,
    or a registry directory (a str) where they published their addresses."""
    where = (f"--benchfs.registry={servers}" if isinstance(servers, str)
             else f"--benchfs.servers={','.join(servers)}")
    args = ["-a", "BENCHFS", where]
    if ucx_tls:
        args.append(f"--benchfs.ucx-tls={ucx_tls}")
    return args


def user_step(bench, servers, ucx_tls):
    """`-- ior ARGS` / `-- mdtest ARGS`: the user's arguments; the BENCHFS
    backend and the servers are added unless the arguments choose a backend
    (-a X) or name the servers themselves."""
    tool, args = bench[0], list(bench[1:])
    if "-a" in args:
        i = args.index("-a")
        chosen = args[i + 1] if i + 1 < len(args) else ""
        if chosen.upper() == "BENCHFS" and not any(a.startswith(("--benchfs.servers", "--benchfs.registry"))
                                                   for a in args):
            extra = backend_args(servers, ucx_tls)[2:]
            args[i + 2:i + 2] = extra
    else:
        args = backend_args(servers, ucx_tls) + args
    # IOR's default test file and mdtest's default directory are relative paths; BenchFS paths are absolute.
    if tool == "ior" and "-o" not in args and _backend_of(args) == "BENCHFS":
        args += ["-o", "/ior-testfile"]
    if tool == "mdtest" and "-d" not in args and _backend_of(args) == "BENCHFS":
        args += ["-d", "/mdtest"]
    return [Step(tool, tool, args)]


def _backend_of(args):
    return args[args.index("-a") + 1].upper() if "-a" in args and args.index("-a") + 1 < len(args) else "POSIX"


def io500_steps(backend, root, servers, ucx_tls):
    """The io500-lite phases on one backend; `root` is the directory the
    phases write into (absolute; "" for the BenchFS root)."""
    be = backend_args(servers, ucx_tls) if backend == "BENCHFS" else ["-a", "POSIX"]
    easy = ["-C", "-Q", "1", "-g", "-G", "271", "-k", "-e", "-t", EASY_XFER, "-b", EASY_BLOCK, "-F",
            "-o", f"{root}/ior-easy"]
    hard = ["-C", "-Q", "1", "-g", "-G", "27", "-k", "-e", "-t", str(HARD_XFER), "-b", str(HARD_XFER),
            "-s", str(HARD_SEGMENTS), "-o", f"{root}/ior-hard"]
    md_easy = ["-n", str(MDTEST_EASY_FILES), "-u", "-L", "-F", "-N", "1", "-d", f"{root}/mdtest-easy"]
    md_hard = ["-n", str(MDTEST_HARD_FILES), "-t", "-w", str(MDTEST_HARD_BYTES), "-e", str(MDTEST_HARD_BYTES),
               "-N", "1", "-F", "-d", f"{root}/mdtest-hard"]
    phases = [
        ("ior-easy-write", "ior", easy + ["-w"]),
        ("mdtest-easy-write", "mdtest", md_easy + ["-C"]),
        ("ior-hard-write", "ior", hard + ["-w"]),
        ("mdtest-hard-write", "mdtest", md_hard + ["-C"]),
        ("ior-easy-read", "ior", easy + ["-r", "-R"]),
        ("mdtest-easy-stat", "mdtest", md_easy + ["-T"]),
        ("ior-hard-read", "ior", hard + ["-r", "-R"]),
        ("mdtest-hard-stat", "mdtest", md_hard + ["-T"]),
        ("mdtest-easy-delete", "mdtest", md_easy + ["-r"]),
        ("mdtest-hard-delete", "mdtest", md_hard + ["-r"]),
    ]
    steps = [Step(f"{name}-{backend}", tool, be + args, name, backend) for name, tool, args in phases]
    # The IOR files are kept (-k) from write to read; remove them at the end.
    steps.append(Step(f"ior-easy-cleanup-{backend}", "ior", be + easy + ["-r"], "", backend))
    steps.append(Step(f"ior-hard-cleanup-{backend}", "ior", be + hard + ["-r"], "", backend))
    for s in steps[-2:]:
        s.args.remove("-k")
        for flag in ("-C", "-R"):
            if flag in s.args:
                s.args.remove(flag)
    return steps


# -- parsing the tools' output --

def parse_ior(text):
    """IOR's "Summary of all tests": per operation the mean MiB/s, mean
    operations/s and mean seconds."""
    ops = []
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("Summary of all tests"))
    except StopIteration:
        return ops
    for line in lines[start + 2:]:
        f = line.split()
        if len(f) < 10 or f[0] not in ("write", "read"):
            break
        try:
            ops.append({"op": f[0], "mib_per_s": float(f[3]), "ops_per_s": float(f[7]), "seconds": float(f[9])})
        except ValueError:
            break
    return ops


def parse_mdtest(text):
    """mdtest's "SUMMARY rate": per operation the mean rate (ops/s); zero
    rows (phases not run) are left out."""
    ops = []
    in_rate = False
    for line in text.splitlines():
        if line.startswith("SUMMARY rate"):
            in_rate = True
            continue
        if in_rate:
            m = re.match(r"\s+(\S.*?)\s*:?\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", line)
            if m:
                mean = float(m.group(4))
                if mean > 0:
                    ops.append({"op": m.group(1).rstrip(" :"), "ops_per_s": mean, "max": float(m.group(2)),
                                "min": float(m.group(3)), "stddev": float(m.group(5))})
            elif line.startswith("--") or line.startswith("SUMMARY"):
                break
    return ops


def error_lines(text):
    return [l.strip() for l in text.splitlines() if ERROR_LINE.search(l)]


def warning_lines(text):
    return [l.strip() for l in text.splitlines() if l.startswith("WARNING")]


def warnings_footer(results):
    """One line per step that printed warnings: how many, and the first distinct ones."""
    lines = []
    for name, r in results.items():
        distinct = list(dict.fromkeys(r.get("warnings", [])))
        if distinct:
            shown = "; ".join(distinct[:2]) + (" ..." if len(distinct) > 2 else "")
            lines.append(f"warnings in {name} ({len(r['warnings'])}, see {name}.out): {shown}")
    return lines


# -- io500-lite scoring, as IO500 computes it --

MDTEST_OP = {"write": "File creation", "stat": "File stat", "delete": "File removal"}
IO500_PHASES = ["ior-easy-write", "mdtest-easy-write", "ior-hard-write", "mdtest-hard-write", "ior-easy-read",
                "mdtest-easy-stat", "ior-hard-read", "mdtest-hard-stat", "mdtest-easy-delete",
                "mdtest-hard-delete"]


def phase_value(phase, step_result):
    """GiB/s of an ior phase, kIOPS of an mdtest phase; None when it failed."""
    if step_result is None or step_result["exit"] != 0 or step_result["errors"]:
        return None
    if phase.startswith("ior-"):
        op = "write" if phase.endswith("write") else "read"
        rows = [o for o in step_result["ops"] if o["op"] == op]
        return rows[0]["mib_per_s"] / 1024.0 if rows else None
    want = MDTEST_OP[phase.rsplit("-", 1)[1]]
    rows = [o for o in step_result["ops"] if o["op"] == want]
    return rows[0]["ops_per_s"] / 1000.0 if rows else None


def geomean(values):
    if not values or any(v is None or v <= 0 for v in values):
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def score(values):
    """IO500: bandwidth = geometric mean of the ior phases (GiB/s), IOPS =
    geometric mean of the mdtest phases (kIOPS), score = sqrt(bw * iops)."""
    bw = geomean([values.get(p) for p in IO500_PHASES if p.startswith("ior-")])
    md = geomean([values.get(p) for p in IO500_PHASES if p.startswith("mdtest-")])
    total = math.sqrt(bw * md) if bw is not None and md is not None else None
    return {"bandwidth_gib_s": bw, "iops_kiops": md, "score": total}


def io500_summary(results, backends, ranks):
    cols = {}
    for be in backends:
        values = {p: phase_value(p, results.get(f"{p}-{be}")) for p in IO500_PHASES}
        cols[be] = {"phases": values, **score(values)}
    return {"schema": "benchfs.io500-lite/1", "ranks": ranks, "backends": cols,
            "sizes": {"ior_easy": f"-t {EASY_XFER} -b {EASY_BLOCK} -F", "ior_hard": f"-t {HARD_XFER} -b {HARD_XFER} "
                      f"-s {HARD_SEGMENTS}", "mdtest_easy_files": MDTEST_EASY_FILES,
                      "mdtest_hard_files": MDTEST_HARD_FILES}}


def io500_table(summary, labels):
    backends = list(summary["backends"])
    head = f"{'io500-lite, ' + str(summary['ranks']) + ' ranks':<30}" + "".join(f"{labels.get(b, b):>22}"
                                                                                  for b in backends)
    lines = [head]

    def cell(v):
        return f"{'FAILED':>22}" if v is None else f"{v:>22.4f}"
    for p in IO500_PHASES:
        unit = "GiB/s" if p.startswith("ior-") else "kIOPS"
        lines.append(f"[RESULT] {p:<20} {unit:<5}" + "".join(cell(summary["backends"][b]["phases"][p])
                                                            for b in backends))
    lines.append(f"[SCORE ] {'bandwidth':<20} GiB/s" + "".join(cell(summary["backends"][b]["bandwidth_gib_s"])
                                                            for b in backends))
    lines.append(f"[SCORE ] {'iops':<20} kIOPS" + "".join(cell(summary["backends"][b]["iops_kiops"])
                                                          for b in backends))
    lines.append(f"[SCORE ] {'total':<26}" + "".join(cell(summary["backends"][b]["score"]) for b in backends))
    return "\n".join(lines + warnings_footer(summary.get("steps", {})))


def tool_table(results):
    lines = []
    for name, r in results.items():
        status = "ok" if r["exit"] == 0 and not r["errors"] else f"FAILED (exit {r['exit']})"
        lines.append(f"{name}: {status}")
        for o in r["ops"]:
            if "mib_per_s" in o:
                lines.append(f"  {o['op']:<20} {o['mib_per_s']:>12.2f} MiB/s {o['ops_per_s']:>12.1f} ops/s")
            else:
                lines.append(f"  {o['op']:<20} {o['ops_per_s']:>12.1f} ops/s")
        for e in r["errors"][:5]:
            lines.append(f"  {e}")
    return "\n".join(lines + warnings_footer(results))


def write_summary(results_dir, doc, rows):
    with open(os.path.join(results_dir, "summary.json"), "w") as f:
        json.dump(doc, f, indent=2)
    with open(os.path.join(results_dir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "backend", "op", "mib_per_s", "ops_per_s", "exit", "errors"])
        for r in rows:
            w.writerow(r)
