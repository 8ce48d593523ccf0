# SPDX-License-Identifier: BSD-3-Clause
"""benchfsd's readiness line: once it serves, benchfsd prints one line
"benchfsd ready on <where>" on stdout, <where> starting with the address
clients connect to. The C++ side is service/readiness.h."""

READY_PREFIX = "benchfsd ready on "


def ready_address(line):
    """The address a readiness line names (its first word after the prefix),
    or None if the line is not one."""
    if not line.startswith(READY_PREFIX):
        return None
    return line[len(READY_PREFIX):].strip().split(" ")[0]
