"""The ``ptmlp melt --demo`` job: bcc Fe with the shipped demo model, small cell, short NPH run.

Sized for ``make demo`` on 2 cores (under ~15 min): a 768-atom interface cell (4 x 4 x 24 bcc
cells: lateral 10.9 A > 2 x r_cut of the model, each half ~32 A thick), one NPH coexistence run
of 15 ps at 30 GPa, started at 2600 K near the teacher's melting point there (Fe_mm.eam.fs,
measured with this workflow: 2596 +- 7 K). 30 GPa because the demo model was trained on bcc and
liquid cells of 9.0-12.2 A^3/atom (ptmlp.demo.regenerate): its liquid at 0 GPa (~13 A^3/atom)
lies outside and falls apart (measured: the liquid reference expands to a gas). Small and short
means a noisy T_m (tens of K): it shows the workflow, it is not a converged melting point.
"""

from __future__ import annotations

from ..demo import DEMO_MODEL
from .config import MeltConfig, from_mapping


def demo_mapping(workdir: str = "ptmlp_melt_demo") -> dict:
    return {
        "structure": {"name": "Fe", "crystalstructure": "bcc", "a_A": 2.87},
        "potential": {"model": str(DEMO_MODEL)},
        "method": "nph",
        "pressures_GPa": [30.0],
        "nph": {"start_T_K": 2600.0, "retries": 2},
        "seeds": [1],
        "cell": {"replicate": [4, 4, 24]},
        "md": {"timestep_ps": 0.002, "solid_equilibration_ps": 2.0, "reference_ps": 2.0, "melt_ps": 3.0,
               "cool_ps": 1.0, "coexistence_ps": 15.0, "discard_ps": 3.0, "sample_every_steps": 10,
               "thermostat_damp_ps": 0.1, "barostat_damp_ps": 0.5},
        "workdir": workdir,
        "nprocs": 2,
        "parallel_runs": 1,
    }


def demo_config(workdir: str = "ptmlp_melt_demo") -> MeltConfig:
    return from_mapping(demo_mapping(workdir))
