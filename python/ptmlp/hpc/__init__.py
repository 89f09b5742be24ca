"""Running ptmlp on clusters: SLURM templates, job tracking, MPI fan-out, restarts.

- :mod:`ptmlp.hpc.jobspec`        one config model per sbatch template; job / workflow YAML (unknown keys,
                                  impossible requests refused; ``ptmlp slurm render --example TEMPLATE``)
- :mod:`ptmlp.hpc.templates`      rendering the sbatch templates of ``slurm/``
- :mod:`ptmlp.hpc.submit`         render + sbatch the jobs of a file, in dependency order
- :mod:`ptmlp.hpc.workflow_state` job ids and states in a state file: wait, resume, resubmit failed elements
- :mod:`ptmlp.hpc.slurm_cli`      thin wrappers over sbatch / scontrol / sacct / scancel
- :mod:`ptmlp.hpc.fanout`         many independent LAMMPS runs inside one MPI allocation
- :mod:`ptmlp.hpc.restart`        the restart contract of long LAMMPS stages; newest readable restart file
- :mod:`ptmlp.hpc.scaling`        strong scaling of pair_style ptmlp (speed-up and efficiency)
- :mod:`ptmlp.hpc.local_slurm`    a private single-node SLURM on localhost for tests

Command line: ``ptmlp slurm render|submit|status`` and ``mpirun -np N ptmlp fanout jobs.yaml``.
"""
