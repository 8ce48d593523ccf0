# SPDX-License-Identifier: BSD-3-Clause
"""IOR and mdtest (and io500-lite) with the mpirun launcher: the servers are
one MPI job (cluster-scripts/rank-main --serve-only, one benchfsd per rank,
publishing their addresses in the results folder's registry), and each tool
step is an MPI job of its own whose ranks find the servers through that
registry (--benchfs.registry). Afterwards the servers' counters are read and
they are shut down through the registry. The results folder must be on a file
system every node sees."""
import os
import signal
import subprocess
import sys
import time

from . import launchers
from .orchestrate import RunFailed
from .toolrun import ToolRun

HERE = os.path.dirname(os.path.abspath(__file__))
RANK_MAIN = os.path.join(os.path.dirname(HERE), "rank-main")


class _Here(launchers.LocalLauncher):
    """Runs mpirun and benchfs on this host with the caller's environment
    (mpirun places the ranks; no UCX device is imposed)."""

    def server_nodes(self):
        return []

    def client_nodes(self):
        return [launchers.Node("mpirun", "", [], {})]


class MpiToolRun(ToolRun):
    def __init__(self, spec, results_dir, log=print):
        super().__init__(spec, results_dir, log, launcher=_Here(spec))
        self.registry = os.path.join(os.path.abspath(results_dir), "registry")
        self.server_job = None

    def _where(self):
        return self.registry

    def _posix_root(self):
        if self.spec.posix_dir:
            return self.spec.posix_dir
        return f"{self.spec.data_dir or '/tmp/benchfsd-' + self.spec.label}-posix"

    def _client(self, *args):
        tls = ["--ucx-tls", self.spec.ucx_tls] if self.spec.ucx_tls else []
        return [self._bin("benchfs"), "--registry", self.registry, "--expect-servers", str(self.spec.servers),
                *tls, "--connect-timeout", "10s", *args]

    def start_servers(self):
        s = self.spec
        os.makedirs(self.registry, exist_ok=True)
        data = s.data_dir or f"/tmp/benchfsd-{s.label}"
        argv = [s.mpirun, *s.mpirun_args, "-np", str(s.servers), sys.executable, RANK_MAIN, "--serve-only",
                "--servers", str(s.servers), "--results", os.path.abspath(self.dir), "--bin-dir", s.bin_dir,
                "--data-dir", data, "--registry", self.registry]
        if s.ucx_tls:
            argv += ["--ucx-tls", s.ucx_tls]
        argv += [f"--daemon-arg={a}" for a in s.daemon_args]
        self.record["servers_command"] = argv
        self.log(" ".join(argv))
        self.server_job = self.launcher.spawn(self.launcher.client_nodes()[0], argv,
                                              os.path.join(self.dir, "servers.out"),
                                              os.path.join(self.dir, "servers.err"))
        end = time.monotonic() + s.startup_timeout
        while len([f for f in os.listdir(self.registry) if f.endswith(".addr")]) < s.servers:
            if not self.server_job.alive():
                raise RunFailed(f"the servers' job ({s.mpirun}) ended before {s.servers} servers were up: "
                                f"{_tail(os.path.join(self.dir, 'servers.err'))}")
            if time.monotonic() > end:
                raise RunFailed(f"{s.servers} servers did not publish their addresses in {self.registry} within "
                                f"{s.startup_timeout:.0f} s")
            time.sleep(0.1)
        self.log(f"{s.servers} servers ready (registry {self.registry})")

    def check_status(self):
        code, _, err = self.launcher.run(self.launcher.client_nodes()[0], self._client("status"), 60)
        if code != 0:
            raise RunFailed(f"the servers in {self.registry} do not answer STATUS: "
                            f"{err.strip().splitlines()[-1] if err.strip() else 'no reply'}")

    def collect(self):
        if self.server_job is None:
            return
        path = os.path.join(os.path.abspath(self.dir), "server-status.json")
        self.launcher.run(self.launcher.client_nodes()[0], self._client("status", "--json", path), 60)

    def stop_servers(self):
        if self.server_job is None:
            return
        try:
            self.launcher.run(self.launcher.client_nodes()[0], self._client("shutdown"), 60)
        except subprocess.TimeoutExpired:
            pass
        if self.server_job.wait(60) is None:
            os.killpg(self.server_job.popen.pid, signal.SIGTERM)
            if self.server_job.wait(20) is None:
                os.killpg(self.server_job.popen.pid, signal.SIGKILL)
                self.server_job.wait(10)
        self.server_job = None


def _tail(path):
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return "no output"
    return " | ".join(lines[-3:]) or "no output"
