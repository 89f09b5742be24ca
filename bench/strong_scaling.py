"""Strong scaling of pair_style ptmlp (demo Fe model, ~4000 atoms) on 1 and 2 MPI ranks:
speed-up and parallel efficiency, measured in the same session (see ptmlp.hpc.scaling)."""

from ptmlp.hpc.scaling import main

raise SystemExit(main())
