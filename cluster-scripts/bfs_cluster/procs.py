# SPDX-License-Identifier: BSD-3-Clause
"""Processes started on a host: their output goes to files, a daemon's
readiness line is picked out of its stdout, and they can be waited for or
signalled."""
import subprocess
import threading
import time

from .readiness import ready_address


class Proc:
    def __init__(self, argv, out_path, err_path, env=None):
        self.argv = argv
        self.ready_address = None
        self._ready = threading.Event()
        self._out = open(out_path, "w")
        self._err = open(err_path, "w")
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=self._err, env=env, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.popen.stdout:
            self._out.write(line)
            self._out.flush()
            address = ready_address(line)
            if address is not None and not self._ready.is_set():
                self.ready_address = address
                self._ready.set()
        self._ready.set()  # stdout closed: the process is gone or never became ready

    def wait_ready(self, timeout):
        """The address the daemon reports, or None if it exits or the time runs out."""
        self._ready.wait(timeout)
        return self.ready_address

    def wait(self, timeout=None):
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(timeout=5)
        self._out.close()
        self._err.close()
        return code

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            try:
                self.popen.send_signal(sig)
            except ProcessLookupError:
                pass


def wait_all(procs, timeout):
    """Waits for every process; returns their exit codes (None where one did not end in time)."""
    end = time.monotonic() + timeout
    return [p.wait(max(0.0, end - time.monotonic())) for p in procs]
