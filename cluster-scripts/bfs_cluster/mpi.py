# SPDX-License-Identifier: BSD-3-Clause
"""Runs under mpirun or srun: every process is started by the MPI/Slurm
launcher, each rank picks its role (ranks below the server count run
benchfsd, the rest run the benchmark), and the results folder - on a file
system every node shares - collects what they write.

Two ways: cluster-scripts/rank-main around the ordinary benchfsd/benchfs
(servers publish their UCX addresses in a registry directory), or the
optional MPI build's benchfs-mpi (addresses exchanged with MPI_Allgather)."""
import json
import os
import signal
import subprocess
import sys
import time

from .orchestrate import _root_flag

HERE = os.path.dirname(os.path.abspath(__file__))
RANK_MAIN = os.path.join(os.path.dirname(HERE), "rank-main")


def command(spec, results_dir):
    ranks = spec.servers + spec.clients
    results = os.path.abspath(results_dir)
    data = spec.data_dir or f"/tmp/benchfsd-{spec.label}"
    if spec.launcher == "mpirun":
        head = [spec.mpirun, *spec.mpirun_args, "-np", str(ranks)]
    else:
        head = [spec.srun, *spec.srun_args, f"--ntasks={ranks}"]
    if spec.use_mpi_build:
        tls = ["--ucx-tls", spec.ucx_tls] if spec.ucx_tls else []
        bench = spec.bench[1:] if spec.bench and spec.bench[0] == "small" else spec.bench
        # Its server ranks run the daemon in-process: as root they need --allow-root too.
        return head + [os.path.join(spec.bin_dir, "benchfs-mpi"), "--servers", str(spec.servers), "--results",
                       results, "--data-dir", data, "--mpi-timeout", f"{spec.startup_timeout:g}",
                       "--run-timeout", f"{spec.run_timeout:g}", *tls, *_root_flag(spec), *spec.daemon_args, *bench]
    args = [sys.executable, RANK_MAIN, "--servers", str(spec.servers), "--results", results, "--bin-dir",
            spec.bin_dir, "--data-dir", data, "--registry", os.path.join(results, "registry"),
            "--timeout", f"{spec.startup_timeout:g}", "--run-timeout", f"{spec.run_timeout:g}",
            "--start-delay", f"{spec.start_delay:g}"]
    if spec.ucx_tls:
        args += ["--ucx-tls", spec.ucx_tls]
    for a in spec.daemon_args:
        args.append(f"--daemon-arg={a}")
    return head + args + ["--", *spec.bench]


def execute(spec, results_dir, log=print):
    record = {"spec": spec.__dict__, "status": "incomplete", "reason": "", "started_at": time.time()}
    record["clients_launched_at"] = record["started_at"]  # mpirun starts servers and clients together
    os.makedirs(os.path.join(results_dir, "registry"), exist_ok=True)
    cmd = command(spec, results_dir)
    record["command"] = cmd
    log(" ".join(cmd))
    out = open(os.path.join(results_dir, f"{spec.launcher}.out"), "w")
    err = open(os.path.join(results_dir, f"{spec.launcher}.err"), "w")
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
    try:
        code = proc.wait(spec.run_timeout + spec.startup_timeout)
        record["clients_done_at"] = time.time()
        record["exit"] = code
        clients = [f for f in os.listdir(results_dir) if f.startswith("client-") and f.endswith(".json")]
        if code == 0 and len(clients) == spec.clients:
            record["status"] = "complete"
        else:
            with open(os.path.join(results_dir, f"{spec.launcher}.err")) as f:
                tail = [l.strip() for l in f if l.strip()][-3:]
            record["reason"] = (f"{spec.launcher} exited {code} with {len(clients)} of {spec.clients} client "
                                f"results: {' | '.join(tail)}")
    except subprocess.TimeoutExpired:
        record["reason"] = f"{spec.launcher} did not finish in time"
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except KeyboardInterrupt:
        record["reason"] = "interrupted (Ctrl-C)"
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        out.close()
        err.close()
        record["ended_at"] = time.time()
        with open(os.path.join(results_dir, "run.json"), "w") as f:
            json.dump(record, f, indent=2, default=str)
        if record["status"] != "complete":
            with open(os.path.join(results_dir, "INCOMPLETE"), "w") as f:
                f.write((record["reason"] or "the run did not finish") + "\n")
    return record
