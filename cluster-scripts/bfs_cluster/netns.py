# SPDX-License-Identifier: BSD-3-Clause
"""Local hosts for tests and demos: network namespaces joined by veth pairs
to a bridge in a hub namespace, so N "hosts" see each other over real IP on
one machine. Everything made here is removed by teardown()."""
import os
import subprocess


class NetnsError(Exception):
    pass


def _ip(*args):
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {r.stderr.strip() or 'failed'}")


class Topology:
    def __init__(self, count, tag=None):
        self.tag = tag or str(os.getpid() % 100000)
        self.hub = f"bfsh{self.tag}"
        self.subnet = f"10.215.{os.getpid() % 250}"
        self.nodes = []  # (namespace, device, ip)
        self.count = count
        self._made = []

    def setup(self):
        try:
            _ip("netns", "add", self.hub)
        except NetnsError as e:
            raise NetnsError("cannot create network namespaces here (needs root / CAP_NET_ADMIN): " + str(e)) from e
        self._made.append(self.hub)
        _ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.hub, "link", "set", "br0", "up")
        _ip("-n", self.hub, "link", "set", "lo", "up")
        for i in range(self.count):
            ns = f"bfs{self.tag}n{i}"
            dev = f"bf{self.tag}n{i}"[:15]
            peer = f"bp{self.tag}n{i}"[:15]
            ip = f"{self.subnet}.{i + 1}"
            _ip("netns", "add", ns)
            self._made.append(ns)
            _ip("link", "add", dev, "type", "veth", "peer", "name", peer)
            _ip("link", "set", dev, "netns", ns)
            _ip("link", "set", peer, "netns", self.hub)
            _ip("-n", self.hub, "link", "set", peer, "master", "br0")
            _ip("-n", self.hub, "link", "set", peer, "up")
            _ip("-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            self.nodes.append((ns, dev, ip))

    def set_link(self, index, up):
        """Cuts or restores node `index`'s link (for fault tests)."""
        ns, dev, _ = self.nodes[index]
        _ip("-n", ns, "link", "set", dev, "up" if up else "down")

    def teardown(self):
        for ns in reversed(self._made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self._made = []
