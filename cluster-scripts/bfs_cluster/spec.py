# SPDX-License-Identifier: BSD-3-Clause
"""The run description: what to start where, and which benchmark to run.

A run description is a TOML file (see cluster-scripts/examples/) whose keys
match the command-line flags of cluster-scripts/run; flags override the file.
"""
import dataclasses
import os
import tomllib

from .iortools import IO500_BACKENDS, TOOLS

LAUNCHERS = ("local", "netns", "ssh", "mpirun", "srun")


class SpecError(Exception):
    """A run description that cannot be run; the message names the problem."""


@dataclasses.dataclass
class RunSpec:
    label: str = "run"
    launcher: str = "local"
    server_hosts: list = dataclasses.field(default_factory=list)  # ssh: hosts running servers
    client_hosts: list = dataclasses.field(default_factory=list)  # ssh: hosts running clients
    server_nodes: int = 1            # local/netns/mpirun/srun: nodes (namespaces, rank groups) for servers
    client_nodes: int = 1
    servers_per_node: int = 1
    clients_per_node: int = 1
    bin_dir: str = ""                # where benchfsd/benchfs live on every host
    data_dir: str = ""               # per-host scratch for servers (suffixed per server)
    results_root: str = "results"
    ucx_tls: str = ""
    daemon_args: list = dataclasses.field(default_factory=list)  # extra benchfsd flags
    client_args: list = dataclasses.field(default_factory=list)  # extra benchfs flags before "bench"
    bench: list = dataclasses.field(default_factory=lambda: ["small"])  # benchfs bench <args>, or ior/mdtest/io500-lite
    ior_dir: str = ""                # where ior and mdtest live (default build/ior/bin, from scripts/build-ior)
    posix_dir: str = ""              # io500-lite: the local directory of the POSIX phases (default under data_dir)
    io500_backends: list = dataclasses.field(default_factory=lambda: ["BENCHFS", "POSIX"])
    startup_timeout: float = 60.0
    run_timeout: float = 3600.0
    lockstep_delay: float = 0.0      # clients start this long after the first is launched (0: 2 s + 0.1 s per client)
    mpirun: str = "mpirun"
    mpirun_args: list = dataclasses.field(default_factory=list)
    srun: str = "srun"
    srun_args: list = dataclasses.field(default_factory=list)
    use_mpi_build: bool = False      # mpirun: run benchfs-mpi instead of rank-main
    ssh: str = "ssh"
    ssh_args: list = dataclasses.field(default_factory=lambda: ["-o", "BatchMode=yes"])
    stop_servers: list = dataclasses.field(default_factory=list)  # test: "N[:when]" servers to SIGSTOP

    @property
    def start_delay(self):
        return self.lockstep_delay if self.lockstep_delay > 0 else 2.0 + 0.1 * self.clients

    def stops(self):
        """The --stop-server entries as (server, when): when is None for
        "before the clients start", else seconds after the clients' start."""
        out = []
        for entry in self.stop_servers:
            index, _, when = str(entry).partition(":")
            try:
                k = int(index)
                t = None if when in ("", "start") else float(when)
            except ValueError:
                raise SpecError(f"--stop-server '{entry}': expected N or N:start or N:SECONDS") from None
            if not 0 <= k < self.servers:
                raise SpecError(f"--stop-server '{entry}': server {k} does not exist (0..{self.servers - 1})")
            if t is not None and t < 0:
                raise SpecError(f"--stop-server '{entry}': the time must be 0 or more seconds")
            out.append((k, t))
        return out

    @property
    def servers(self):
        n = len(self.server_hosts) if self.launcher == "ssh" else self.server_nodes
        return n * self.servers_per_node

    @property
    def clients(self):
        n = len(self.client_hosts) if self.launcher == "ssh" else self.client_nodes
        return n * self.clients_per_node

    def validate(self):
        if self.launcher not in LAUNCHERS:
            raise SpecError(f"launcher '{self.launcher}' is unknown: use {', '.join(LAUNCHERS)}")
        if self.launcher == "ssh" and (not self.server_hosts or not self.client_hosts):
            raise SpecError("the ssh launcher needs server_hosts and client_hosts (or --hosts S1,..:C1,..)")
        for name in ("server_nodes", "client_nodes", "servers_per_node", "clients_per_node"):
            if getattr(self, name) < 1:
                raise SpecError(f"{name} must be at least 1")
        if not self.bench or self.bench[0] not in ("small", "ping", *TOOLS):
            raise SpecError("the benchmark must be 'small' or 'ping' (benchfs bench <small|ping> ...), "
                            "'ior ARGS', 'mdtest ARGS' or 'io500-lite'")
        if self.bench[0] in TOOLS:
            self._validate_tools()
        if any(a in ("--json", "--start-at") for a in self.bench):
            raise SpecError("--json and --start-at are set by the launcher; leave them out of the benchmark")
        self.stops()
        if self.stop_servers and self.launcher in ("mpirun", "srun"):
            raise SpecError("--stop-server needs the local, netns or ssh launcher (the launcher signals the daemon)")
        if self.lockstep_delay < 0:
            raise SpecError("lockstep_delay must be 0 (automatic) or more seconds")
        if not os.path.isfile(os.path.join(self.bin_dir, "benchfsd")) and self.launcher in ("local", "netns"):
            raise SpecError(f"no benchfsd in {self.bin_dir}: build first (cmake --build build/release)")


    def _validate_tools(self):
        if self.launcher == "srun":
            raise SpecError("ior, mdtest and io500-lite run with the local, netns, ssh or mpirun launcher; under "
                            "Slurm use --launcher mpirun inside the allocation")
        if self.launcher == "mpirun" and self.use_mpi_build:
            raise SpecError("--mpi-build runs benchfs-mpi's own benchmark; leave it out for ior, mdtest and io500-lite")
        if self.bench[0] == "io500-lite" and len(self.bench) > 1:
            raise SpecError("io500-lite takes no arguments (its sizes are fixed; see docs/cluster.md)")
        unknown = [b for b in self.io500_backends if b not in IO500_BACKENDS]
        if unknown or not self.io500_backends:
            raise SpecError(f"io500 backends must be among {', '.join(IO500_BACKENDS)} (got {', '.join(unknown) or 'none'})")
        tools = ["ior", "mdtest"] if self.bench[0] == "io500-lite" else [self.bench[0]]
        for t in tools:
            if not os.access(os.path.join(self.ior_dir, t), os.X_OK):
                raise SpecError(f"no {t} in {self.ior_dir}: build IOR and mdtest with scripts/build-ior "
                                f"(or pass --ior-dir)")
        stamp = os.path.join(os.path.dirname(os.path.abspath(self.ior_dir)), ".build-ior-stamp")
        wants_benchfs = ("BENCHFS" in self.io500_backends if self.bench[0] == "io500-lite"
                         else "-a" not in self.bench or "BENCHFS" in (x.upper() for x in self.bench))
        if wants_benchfs and os.path.exists(stamp) and " posix-only " in open(stamp).read() + " ":
            raise SpecError(f"the IOR in {self.ior_dir} was built without the BENCHFS backend "
                            f"(scripts/build-ior --without-benchfs): rebuild it with libbenchfs, or choose "
                            f"another backend (-a POSIX; io500-lite: --io500-backends POSIX)")


def load(path):
    """Reads a TOML run description into a dict of RunSpec fields."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise SpecError(f"{path}: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{path}: {e}") from e
    known = {f.name for f in dataclasses.fields(RunSpec)}
    for key in data:
        if key not in known:
            raise SpecError(f"{path}: unknown key '{key}' (known: {', '.join(sorted(known))})")
    return data
