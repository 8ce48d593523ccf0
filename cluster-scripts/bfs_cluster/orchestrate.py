# SPDX-License-Identifier: BSD-3-Clause
"""One run with the local, netns or ssh launcher: start the servers, wait
until each answers STATUS, run the clients in lock-step, collect results and
perf logs, and stop every daemon - also when a step fails or the user
presses Ctrl-C."""
import json
import os
import signal
import subprocess
import threading
import time

from . import launchers, results


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


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_sample(pid):
    """(rss_bytes, threads, open fds, cpu seconds) of a local process from /proc, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read().rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) / _TICK  # utime + stime
        return (int(fields["VmRSS"].split()[0]) * 1024, int(fields["Threads"]), len(os.listdir(f"/proc/{pid}/fd")),
                cpu)
    except (OSError, KeyError, ValueError, IndexError):
        return None


class DaemonSampler:
    """Samples the daemons' RSS, thread count, open files and CPU time from /proc every `period`
    seconds (local and netns launchers: the daemons run on this host)."""

    def __init__(self, pids, period=0.25):
        self.pids = pids
        self.period = period
        self.samples = []  # [wall time, [[rss, threads, fds, cpu_s] or None per server]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self):
        self.samples.append([time.time(), [_proc_sample(p) if p else None for p in self.pids]])

    def _loop(self):
        while not self._stop.wait(self.period):
            self.sample()

    def start(self):
        self.sample()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()


class Run:
    def __init__(self, spec, results_dir, log=print, launcher=None):
        self.spec = spec
        self.dir = results_dir
        self.log = log
        self.launcher = launcher or launchers.make(spec)
        self.servers = []   # (node, proc, address, pid_file, perf_file, index)
        self.clients = []   # (node, proc, json_remote, index)
        self.record = {"spec": spec.__dict__, "status": "incomplete", "reason": "", "servers": [],
                       "clients": [], "started_at": time.time(), "stopped_servers": []}
        self.stopped = []   # servers this run SIGSTOPped (--stop-server), to be continued

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

    def _server_pid(self, k):
        """Daemon k's pid from its pid file (local and netns: this host)."""
        try:
            with open(self.servers[k][3]) as f:
                return int(f.read().strip())
        except (OSError, ValueError, IndexError):
            return None

    def _signal_server(self, k, sig):
        node, _, _, pid_file, _, _ = self.servers[k]
        if self.spec.launcher in ("local", "netns"):
            pid = self._server_pid(k)
            if pid:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        else:
            self.launcher.run(node, ["sh", "-c", f"kill -{signal.Signals(sig).name[3:]} $(cat {pid_file}) "
                                                 "2>/dev/null"], 30)

    def _stop_server(self, k, when):
        self._signal_server(k, signal.SIGSTOP)
        self.stopped.append(k)
        moment = "before the clients started" if when is None else f"{when:g} s after the clients started"
        self.record["stopped_servers"].append({"index": k, "address": self.servers[k][2], "when": moment,
                                               "at": time.time()})
        self.log(f"stopped benchfsd {k} ({self.servers[k][2]}) {moment} (--stop-server)")

    def continue_stopped(self):
        for k in self.stopped:
            self._signal_server(k, signal.SIGCONT)
        self.stopped = []

    def run_clients(self):
        launched = time.time()
        start_at = launched + self.spec.start_delay
        self.record["clients_launched_at"] = launched
        self.record["start_at"] = start_at
        sampler = None
        if self.spec.launcher in ("local", "netns"):
            sampler = DaemonSampler([self._server_pid(k) for k in range(len(self.servers))])
            sampler.start()
        timers = []
        for k, when in self.spec.stops():
            if when is None:
                self._stop_server(k, None)
            else:
                t = threading.Timer(max(0.0, start_at + when - time.time()), self._stop_server, args=(k, when))
                t.daemon = True
                timers.append(t)
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
        self.record["clients_spawned_at"] = time.time()
        for t in timers:
            t.start()
        self.log(f"{len(self.clients)} clients running {' '.join(self.spec.bench)}")
        end = time.monotonic() + self.spec.run_timeout
        failures = []
        try:
            for node, proc, _, k in self.clients:
                code = proc.wait(max(0.0, end - time.monotonic()))
                self.record["clients"].append({"index": k, "node": node.name, "exit": code})
                if code is None:
                    proc.signal(signal.SIGKILL)
                    failures.append(f"client {k} on {node.name} did not finish within {self.spec.run_timeout:.0f} s")
                elif code not in (0, 3):
                    why = _error_line(os.path.join(self.dir, f"client-{k}.err")) or f"exit {code}"
                    failures.append(f"client {k} on {node.name} failed: {why}")
        finally:
            self.record["clients_done_at"] = time.time()
            for t in timers:
                t.cancel()
            if sampler:
                sampler.stop()
                self.record["daemon_samples"] = sampler.samples
            self.continue_stopped()
        if failures:
            raise RunFailed("; ".join(failures))

    def check_excluded(self):
        """A server some client excluded (it stopped answering) fails the run,
        named with what it cost."""
        bad = results.excluded_servers(self.dir, [s[2] for s in self.servers])
        if bad:
            self.record["excluded_servers"] = bad
            raise RunFailed("; ".join(results.describe_excluded(b, self.record["stopped_servers"]) for b in bad))

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
        self.continue_stopped()
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
            self.check_excluded()
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
