"""The ``ptmlp melt --demo`` job (what ``make demo`` runs): ``inputs/melt/fe_demo.yaml``.

bcc Fe with the shipped demo model, sized for 2 cores (about 5 min): a 768-atom interface cell
(4 x 4 x 24 bcc cells: lateral 10.9 A > 2 x r_cut of the model, each half ~32 A thick), one NPH
coexistence run of 15 ps at 30 GPa started at 2600 K, near the melting points there (this
workflow, 2 seeds x 25 ps: teacher Fe_mm.eam.fs 2646 +- 9 K, demo model 2510 +- 11 K; the model
misses its teacher's T_m by 135 K, see test_melt_validation.py). 30 GPa because the demo model
was trained on bcc and liquid cells of 9.0-12.2 A^3/atom (ptmlp.demo.regenerate): its liquid at
0 GPa (~13 A^3/atom) lies outside and falls apart (measured: the liquid reference expands to a
gas). Small and short means a noisy T_m (tens of K): it shows the workflow, it is not a converged
melting point. The YAML file is the one definition of the job; this module only loads it.
"""

from __future__ import annotations

from pathlib import Path

from ..config import read_yaml
from ..resources import inputs_dir
from .config import MeltConfig, from_mapping

DEMO_WORKDIR = "ptmlp_melt_demo"


def demo_yaml() -> Path:
    """``inputs/melt/fe_demo.yaml`` (package data, next to the ``inputs/melt.in`` template)."""
    return inputs_dir() / "melt" / "fe_demo.yaml"


def demo_mapping(workdir: str = DEMO_WORKDIR) -> dict:
    """The demo config as a mapping: ``model: demo`` spelled out as the shipped model's path,
    ``workdir`` relative to the current folder (as a command-line ``--workdir`` is)."""
    from ..demo import DEMO_MODEL

    data = read_yaml(demo_yaml())
    if data["potential"].get("model") == "demo":
        data["potential"]["model"] = str(DEMO_MODEL)
    data["workdir"] = str(Path(workdir).resolve())
    return data


def demo_config(workdir: str = DEMO_WORKDIR) -> MeltConfig:
    return from_mapping(demo_mapping(workdir), base_dir=demo_yaml().parent, source=f"{demo_yaml()} (--demo)")
