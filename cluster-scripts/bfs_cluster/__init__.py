# SPDX-License-Identifier: BSD-3-Clause
"""BenchFS cluster runs: launch benchfsd and benchfs on hosts, gather results."""
