"""BenchFS cluster runs: launch benchfsd and benchfs on hosts, gather results."""
