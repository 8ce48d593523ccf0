#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# PBS / Torque: the same run with OpenMPI's mpirun reading the node file.
#PBS -N benchfs
#PBS -l nodes=2:ppn=1
#PBS -l walltime=00:30:00
cd "$PBS_O_WORKDIR"
cluster-scripts/run --launcher mpirun --mpirun-arg=--hostfile="$PBS_NODEFILE" --mpirun-arg=--map-by=node \
  --label pbs --server-nodes 1 --client-nodes 1 \
  --bin-dir "$PWD/build/release/bin" --data-dir /tmp/benchfsd-$PBS_JOBID \
  -- small --sizes 4KiB --duration 30s
