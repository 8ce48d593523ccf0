# SPDX-License-Identifier: BSD-3-Clause
"""A run whose benchmark is IOR or mdtest (or the io500-lite preset) with the
local, netns or ssh launcher: the servers start as for `benchfs bench`, then
each step runs `mpirun -np <clients> ior|mdtest ...` on the first client node,
one after the other; every step's output lands in the results folder as
<step>.out/.err, and summary.json/summary.csv hold what was parsed from it."""
import os
import shlex
import signal
import time

from . import iortools
from .orchestrate import RunFailed, Run


class ToolRun(Run):
    def __init__(self, spec, results_dir, log=print, launcher=None):
        super().__init__(spec, results_dir, log, launcher)
        self.results = {}   # step name -> {"exit", "ops", "errors", "seconds", "command"}
        self.steps = []
        self.summary = None

    # -- what to run --
    def _addresses(self):
        return [s[2] for s in self.servers]

    def _where(self):
        """Where the tools find the servers: their addresses."""
        return self._addresses()

    def _posix_root(self):
        if self.spec.posix_dir:
            return self.spec.posix_dir
        return f"{self._data_base()}/posix"

    def plan(self):
        bench = self.spec.bench
        if bench[0] in ("ior", "mdtest"):
            return iortools.user_step(bench, self._where(), self.spec.ucx_tls)
        steps = []
        for backend in self.spec.io500_backends:
            # On BenchFS the phases' files and directories hang off its root.
            root = "" if backend == "BENCHFS" else self._posix_root()
            steps += iortools.io500_steps(backend, root, self._where(), self.spec.ucx_tls)
        return steps

    def _mpirun(self, step):
        s = self.spec
        head = [s.mpirun, "-np", str(s.clients)]
        if os.geteuid() == 0 and "--allow-run-as-root" not in s.mpirun_args:
            head.append("--allow-run-as-root")
        if s.launcher in ("local", "netns"):
            # The daemons share this host: a rank that mpirun binds to a core
            # (its default for up to two ranks) could not move off the core a
            # daemon polls on.
            head += ["--oversubscribe", "--bind-to", "none"]
        elif s.launcher == "ssh":
            head += ["--host", ",".join(f"{h}:{s.clients_per_node}" for h in s.client_hosts)]
        node = self.launcher.client_nodes()[0]
        # Ranks on other hosts get the UCX settings through mpirun.
        for k in ("UCX_NET_DEVICES", "UCX_TLS"):
            if k in node.env or k in os.environ:
                head += ["-x", k]
        return head + list(s.mpirun_args) + [os.path.join(s.ior_dir, step.tool), *step.args]

    # -- steps --
    def run_clients(self):
        self.steps = self.plan()
        if any(st.backend == "POSIX" for st in self.steps):
            node = self.launcher.client_nodes()[0]
            self.launcher.run(node, ["mkdir", "-p", self._posix_root()], 30)
        end = time.monotonic() + self.spec.run_timeout
        failures = []
        for step in self.steps:
            node = self.launcher.client_nodes()[0]
            argv = self._mpirun(step)
            out = os.path.join(self.dir, f"{step.name}.out")
            err = os.path.join(self.dir, f"{step.name}.err")
            self.log(f"{step.name}: {shlex.join(argv)}")
            started = time.monotonic()
            proc = self.launcher.spawn(node, argv, out, err)
            self.clients.append((node, proc, None, len(self.clients)))
            code = proc.wait(max(0.0, end - time.monotonic()))
            if code is None:
                proc.signal(signal.SIGKILL)
                proc.wait(10)
            text = _read(out) + "\n" + _read(err)
            parsed = iortools.parse_ior(text) if step.tool == "ior" else iortools.parse_mdtest(text)
            errors = iortools.error_lines(text)
            self.results[step.name] = {"command": argv, "exit": code, "ops": parsed, "errors": errors,
                                       "warnings": iortools.warning_lines(text),
                                       "seconds": time.monotonic() - started, "phase": step.phase,
                                       "backend": step.backend}
            self.record["clients"].append({"step": step.name, "exit": code})
            if code is None:
                failures.append(f"{step.name} did not finish within {self.spec.run_timeout:.0f} s")
                break
            if code != 0 or errors:
                why = errors[0] if errors else f"exit {code}"
                failures.append(f"{step.name} failed: {why}")
                if self.spec.bench[0] != "io500-lite":
                    break
        if any(st.backend == "POSIX" for st in self.steps) and not self.spec.posix_dir:
            self.launcher.run(self.launcher.client_nodes()[0], ["rm", "-rf", self._posix_root()], 120)
        self.write_summary()
        if failures:
            raise RunFailed("; ".join(failures))

    def collect(self):
        if not self.servers or not self.launcher.client_nodes():
            return
        node = self.launcher.client_nodes()[0]
        remote = self._on_client_host("server-status.json")
        flags = []
        for a in self._addresses():
            flags += ["-s", a]
        code, _, _ = self.launcher.run(node, [self._bin("benchfs"), *flags, *self._tls(), "--connect-timeout",
                                              "10s", "status", "--json", remote], 60)
        if code == 0:
            self.launcher.fetch(node, remote, os.path.join(self.dir, "server-status.json"))

    def write_summary(self):
        rows = []
        for name, r in self.results.items():
            for o in r["ops"] or [{"op": ""}]:
                rows.append([name, r["backend"], o["op"], o.get("mib_per_s", ""), o.get("ops_per_s", ""), r["exit"],
                             len(r["errors"])])
        if self.spec.bench[0] == "io500-lite":
            doc = iortools.io500_summary(self.results, self.spec.io500_backends, self.spec.clients)
            doc["posix_dir"] = self._posix_root()
        else:
            doc = {"schema": "benchfs.tool-summary/1", "ranks": self.spec.clients}
        doc["steps"] = self.results
        self.summary = doc
        iortools.write_summary(self.dir, doc, rows)

    def table(self):
        if self.summary is None:
            return "no step ran"
        if self.spec.bench[0] == "io500-lite":
            labels = {"POSIX": "POSIX (local dir)"}
            return iortools.io500_table(self.summary, labels)
        return iortools.tool_table(self.results)


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""
