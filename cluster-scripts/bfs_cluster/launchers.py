# SPDX-License-Identifier: BSD-3-Clause
"""Where processes run: this host, local network namespaces, or remote hosts
over ssh. (mpirun and srun start every process themselves; see mpi.py.)"""
import dataclasses
import os
import shlex
import shutil
import subprocess

from . import netns
from .procs import Proc


@dataclasses.dataclass
class Node:
    name: str        # how results and messages name it
    address: str     # what servers on it listen on / clients connect to
    prefix: list     # argv prefix that runs a command there
    env: dict        # extra environment there


class LocalLauncher:
    """Every process on this host; servers listen on 127.0.0.1."""
    name = "local"

    def __init__(self, spec):
        self.spec = spec

    def setup(self):
        pass

    def teardown(self):
        pass

    def server_nodes(self):
        return [Node(f"local-s{i}", "127.0.0.1", [], {"UCX_NET_DEVICES": os.environ.get("UCX_NET_DEVICES", "lo")})
                for i in range(self.spec.server_nodes)]

    def client_nodes(self):
        return [Node(f"local-c{i}", "127.0.0.1", [], {"UCX_NET_DEVICES": os.environ.get("UCX_NET_DEVICES", "lo")})
                for i in range(self.spec.client_nodes)]

    def spawn(self, node, argv, out_path, err_path):
        env = dict(os.environ)
        env.update(node.env)
        return Proc(node.prefix + argv, out_path, err_path, env)

    def run(self, node, argv, timeout):
        env = dict(os.environ)
        env.update(node.env)
        r = subprocess.run(node.prefix + argv, capture_output=True, text=True, timeout=timeout, env=env)
        return r.returncode, r.stdout, r.stderr

    def fetch(self, node, remote, local):
        if not os.path.exists(remote):
            return False
        if os.path.abspath(remote) != os.path.abspath(local):
            shutil.copyfile(remote, local)
        return True


class NetnsLauncher(LocalLauncher):
    """One network namespace per node, joined by veth to a bridge; UCX uses
    each node's veth device."""
    name = "netns"

    def __init__(self, spec):
        super().__init__(spec)
        self.topology = netns.Topology(spec.server_nodes + spec.client_nodes)

    def setup(self):
        self.topology.setup()

    def teardown(self):
        self.topology.teardown()

    def _node(self, i, name):
        ns, dev, ip = self.topology.nodes[i]
        return Node(name, ip, ["ip", "netns", "exec", ns], {"UCX_NET_DEVICES": dev})

    def server_nodes(self):
        return [self._node(i, f"netns-s{i}") for i in range(self.spec.server_nodes)]

    def client_nodes(self):
        base = self.spec.server_nodes
        return [self._node(base + i, f"netns-c{i}") for i in range(self.spec.client_nodes)]


class SshLauncher(LocalLauncher):
    """Remote hosts over ssh (key-based, non-interactive); the same paths on
    every host (a shared install or the same build everywhere)."""
    name = "ssh"

    def _node(self, host, role, i):
        prefix = [self.spec.ssh, *self.spec.ssh_args, host]
        return Node(f"{host}-{role}{i}", host, prefix, {})

    def server_nodes(self):
        return [self._node(h, "s", i) for i, h in enumerate(self.spec.server_hosts)]

    def client_nodes(self):
        return [self._node(h, "c", i) for i, h in enumerate(self.spec.client_hosts)]

    def _remote(self, node, argv):
        env = [f"{k}={v}" for k, v in node.env.items()]
        passthrough = [f"{k}={os.environ[k]}" for k in ("UCX_TLS", "UCX_NET_DEVICES") if k in os.environ]
        return node.prefix + [shlex.join(["env", *passthrough, *env, *argv])]

    def spawn(self, node, argv, out_path, err_path):
        return Proc(self._remote(node, argv), out_path, err_path)

    def run(self, node, argv, timeout):
        r = subprocess.run(self._remote(node, argv), capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def fetch(self, node, remote, local):
        with open(local, "wb") as f:
            r = subprocess.run(node.prefix + [shlex.join(["cat", remote])], stdout=f, stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            os.unlink(local)
            return False
        return True


def make(spec):
    return {"local": LocalLauncher, "netns": NetnsLauncher, "ssh": SshLauncher}[spec.launcher](spec)
