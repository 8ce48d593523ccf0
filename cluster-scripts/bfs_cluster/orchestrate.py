"""One run with the local, netns or ssh launcher: start the servers, wait
until each answers STATUS, run the clients in lock-step, collect results and
perf logs, and stop every daemon - also when a step fails or the user
presses Ctrl-C."""
import json
import os
import signal
import subprocess
import time

from . import launchers


class RunFailed(Exception):
    """A step failed; the message names the host and what went wrong."""


def _error_line(path):
    """The line that says what went wrong in a BenchFS program's stderr: its
    own last "benchfs: ..." / "benchfsd: ..." line, else the last line that is
    not a generic hint (CLI11 ends a parse error with "Run with --help ...")."""
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return ""
    own = [l for l in lines if l.startswith(("benchfs: ", "benchfsd: ", "benchfs-mpi: "))]
    if own:
        return own[-1]
    useful = [l for l in lines if not l.startswith("Run with --help")]
    return useful[-1] if useful else ""


def _root_flag(spec):
    """--allow-root when running as root and this benchfsd has the flag."""
    if os.geteuid() != 0:
        return []
    try:
        out = subprocess.run([os.path.join(spec.bin_dir, "benchfsd"), "--help"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["--allow-root"] if "--allow-root" in out else []


class Run:
    def __init__(self, spec, results_dir, log=print, launcher=None):
        self.spec = spec
        self.dir = results_dir
        self.log = log
        self.launcher = launcher or launchers.make(spec)
        self.servers = []   # (node, proc, address, pid_file, perf_file, index)
        self.clients = []   # (node, proc, json_remote, index)
        self.record = {"spec": spec.__dict__, "status": "incomplete", "reason": "", "servers": [],
                       "clients": [], "started_at": time.time()}

    # -- paths on the hosts --
    def _data_base(self):
        return self.spec.data_dir or f"/tmp/benchfsd-{self.spec.label}-{os.getpid()}"

    def _on_client_host(self, name):
        """Where a client host writes file `name`: the results folder when it
        shares this host's file system, else a temporary path there."""
        if self.spec.launcher in ("local", "netns"):
            return os.path.join(os.path.abspath(self.dir), name)
        return f"/tmp/benchfs-{self.spec.label}-{os.getpid()}-{name}"

    def _bin(self, name):
        return os.path.join(self.spec.bin_dir, name)

    def _tls(self):
        return ["--ucx-tls", self.spec.ucx_tls] if self.spec.ucx_tls else []

    # -- steps --
    def start_servers(self):
        base = self._data_base()
        root = _root_flag(self.spec)
        k = 0
        for node in self.launcher.server_nodes():
            for _ in range(self.spec.servers_per_node):
                data = f"{base}/server-{k}"
                pid = f"{base}/server-{k}.pid"
                perf = f"{base}/server-{k}.perf.csv"
                self.launcher.run(node, ["mkdir", "-p", base], 30)
                argv = [self._bin("benchfsd"), "--listen", f"{node.address}:0", "--data-dir", data,
                        "--pid-file", pid, "--perf-log", perf, "--log-level", "warn", *self._tls(), *root,
                        *self.spec.daemon_args]
                out = os.path.join(self.dir, f"server-{k}.out")
                err = os.path.join(self.dir, f"server-{k}.err")
                proc = self.launcher.spawn(node, argv, out, err)
                self.servers.append([node, proc, None, pid, perf, k])
                k += 1
        for entry in self.servers:
            node, proc, _, _, _, k = entry
            addr = proc.wait_ready(self.spec.startup_timeout)
            if addr is None:
                why = _error_line(os.path.join(self.dir, f"server-{k}.err")) or "no output"
                raise RunFailed(f"benchfsd {k} on {node.name} ({node.address}) did not come up within "
                                f"{self.spec.startup_timeout:.0f} s: {why}")
            entry[2] = addr
            self.record["servers"].append({"index": k, "node": node.name, "address": addr})
        self.log(f"{len(self.servers)} servers ready: {', '.join(s[2] for s in self.servers)}")

    def _server_flags(self):
        flags = []
        for s in self.servers:
            flags += ["-s", s[2]]
        return flags

    def check_status(self):
        node = self.launcher.client_nodes()[0]
        for s in self.servers:
            code, _, err = self.launcher.run(node, [self._bin("benchfs"), "-s", s[2], *self._tls(),
                                                    "--connect-timeout", "10s", "status"], 60)
            if code != 0:
                raise RunFailed(f"benchfsd {s[5]} on {s[0].name} ({s[2]}) does not answer STATUS from "
                                f"{node.name}: {err.strip().splitlines()[-1] if err.strip() else 'no reply'}")

    def run_clients(self):
        start_at = time.time() + self.spec.lockstep_delay
        k = 0
        for node in self.launcher.client_nodes():
            for _ in range(self.spec.clients_per_node):
                path = self._on_client_host(f"client-{k}.json")
                argv = [self._bin("benchfs"), *self._server_flags(), *self._tls(), *self.spec.client_args,
                        "bench", *self.spec.bench, "--json", path, "--start-at", f"{start_at:.3f}"]
                out = os.path.join(self.dir, f"client-{k}.out")
                err = os.path.join(self.dir, f"client-{k}.err")
                self.clients.append((node, self.launcher.spawn(node, argv, out, err), path, k))
                k += 1
        self.log(f"{len(self.clients)} clients running {' '.join(self.spec.bench)}")
        end = time.monotonic() + self.spec.run_timeout
        failures = []
        for node, proc, _, k in self.clients:
            code = proc.wait(max(0.0, end - time.monotonic()))
            self.record["clients"].append({"index": k, "node": node.name, "exit": code})
            if code is None:
                proc.signal(signal.SIGKILL)
                failures.append(f"client {k} on {node.name} did not finish within {self.spec.run_timeout:.0f} s")
            elif code not in (0, 3):
                why = _error_line(os.path.join(self.dir, f"client-{k}.err")) or f"exit {code}"
                failures.append(f"client {k} on {node.name} failed: {why}")
        if failures:
            raise RunFailed("; ".join(failures))

    def collect(self):
        if self.clients:
            node = self.clients[0][0]
            remote = self._on_client_host("server-status.json")
            code, _, _ = self.launcher.run(node, [self._bin("benchfs"), *self._server_flags(), *self._tls(),
                                                  "--connect-timeout", "10s", "status", "--json", remote], 60)
            if code == 0:
                self.launcher.fetch(node, remote, os.path.join(self.dir, "server-status.json"))
        for node, _, remote, k in self.clients:
            self.launcher.fetch(node, remote, os.path.join(self.dir, f"client-{k}.json"))

    def stop_servers(self):
        if not self.servers:
            return
        live = [s for s in self.servers if s[1].alive()]
        addressed = [s for s in live if s[2]]
        if addressed and self.launcher.client_nodes():
            flags = []
            for s in addressed:
                flags += ["-s", s[2]]
            try:
                self.launcher.run(self.launcher.client_nodes()[0],
                                  [self._bin("benchfs"), *flags, *self._tls(), "--connect-timeout", "5s",
                                   "shutdown"], 60)
            except subprocess.TimeoutExpired:
                pass
        for node, proc, _, pid, perf, k in self.servers:
            if proc.wait(30) is None:
                # Not stopped by SHUTDOWN: signal it on its host through its pid file.
                self.launcher.run(node, ["sh", "-c", f"kill -TERM $(cat {pid}) 2>/dev/null"], 30)
                if proc.wait(10) is None:
                    self.launcher.run(node, ["sh", "-c", f"kill -KILL $(cat {pid}) 2>/dev/null"], 30)
                    proc.signal(signal.SIGKILL)
                    proc.wait(10)
            self.launcher.fetch(node, perf, os.path.join(self.dir, f"server-{k}.perf.csv"))
        for node in {s[0].name: s[0] for s in self.servers}.values():
            self.launcher.run(node, ["rm", "-rf", self._data_base()], 60)
        self.servers = []

    def execute(self):
        """Runs every step; returns the record (status complete / incomplete)."""
        try:
            self.launcher.setup()
            self.start_servers()
            self.check_status()
            self.run_clients()
            self.collect()
            self.record["status"] = "complete"
        except KeyboardInterrupt:
            self.record["reason"] = "interrupted (Ctrl-C)"
            self.stop_clients()
            self.collect_partial()
            raise
        except (RunFailed, OSError, subprocess.SubprocessError) as e:
            self.record["reason"] = str(e)
            self.stop_clients()
            self.collect_partial()
        finally:
            try:
                self.stop_servers()
            finally:
                self.launcher.teardown()
                self.finish()
        return self.record

    def stop_clients(self):
        for _, proc, _, _ in self.clients:
            proc.signal(signal.SIGTERM)
        for _, proc, _, _ in self.clients:
            if proc.wait(10) is None:
                proc.signal(signal.SIGKILL)
                proc.wait(5)

    def collect_partial(self):
        try:
            self.collect()
        except (OSError, subprocess.SubprocessError):
            pass

    def finish(self):
        self.record["ended_at"] = time.time()
        with open(os.path.join(self.dir, "run.json"), "w") as f:
            json.dump(self.record, f, indent=2, default=str)
        marker = os.path.join(self.dir, "INCOMPLETE")
        if self.record["status"] != "complete":
            with open(marker, "w") as f:
                f.write((self.record["reason"] or "the run did not finish") + "\n")
        elif os.path.exists(marker):
            os.unlink(marker)
