"""Electronic entropy and the melting of Al, 0-300 GPa, from our own DFT (issue #25).

    python -m ptmlp.demo.al_melting_te inputs/al_te/al_te_smoke.yaml --workdir RUN   # toy run, every stage
    python -m ptmlp.demo.al_melting_te inputs/al_te/al_te.yaml --workdir RUN      # run or resume
    python -m ptmlp.demo.al_melting_te inputs/al_te/al_te.yaml --workdir RUN --status

README.md next to this file gives the command sequence, the measured per-label costs, the estimated
cost of every stage and what has not been run yet.

Stages (``pipeline.LEVELS``), each resumable, with wall and CPU times in ``recipe_state.json``:

1. ``eos``: GPAW cold curve of fcc Al -> volume, lattice constant and bulk modulus at every pressure;
2. ``convergence`` (cutoff, k-points, 32 vs 64-atom liquid at the highest density -> the settings
   of every later label) and, at the same time, ``estimate`` (T_m(P) from a classical melt carried
   up by Lindemann's law on the DFT cold curve -> the active-learning temperatures);
3. ``initial``: GPAW labels at T_e = T of solid and liquid 32-atom cells at every (P, T);
4. ``active_learning``: ``ptmlp al`` over exactly those (P, T, T_e = T) points, T_e-aware ensemble
   of >= 4, until the loop's own criterion holds;
5. ``relabel``: the T_e-blind labels -- the same configurations (identical positions, cell and group)
   labelled again by GPAW with the same functional, cutoff and k-points at one low T_e
   (``dft.te_blind_K``, 300 K), into ``data/te_blind.h5``;
6. ``train``: the T_e-aware model F(R, T_e) (labels at T_e = T_ion) and the T_e-blind model (no T_e
   input, labels at 300 K) from the same configurations and the same split; held-out errors per (P, T);
7. ``melt``: ``ptmlp melt`` (NPH coexistence, >= 4 seeds) with both, Simon-Glatzel fits, size check;
8. ``entropy``: S_e (``compute ptmlp/tel/entropy``), enthalpy and volume of solid and liquid at T_m;
9. ``report``: Delta T_m(P) with errors, its first-order prediction from the entropies, anchors,
   plot and the README section.
"""
