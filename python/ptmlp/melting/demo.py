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

import yaml

from ..errors import InputError
from .config import MeltConfig, from_mapping
from .runner import template_path

DEMO_WORKDIR = "ptmlp_melt_demo"


def demo_yaml() -> Path:
    """``inputs/melt/fe_demo.yaml`` of this checkout (next to the ``inputs/melt.in`` template)."""
    path = template_path().parent / "melt" / "fe_demo.yaml"
    if not path.exists():
        raise InputError(f"demo config {path} not found; run from a ptmlp checkout")
    return path


def demo_mapping(workdir: str = DEMO_WORKDIR) -> dict:
    """The demo config as a mapping: the model path made absolute, ``workdir`` relative to the
    current folder (as a command-line ``--workdir`` is)."""
    path = demo_yaml()
    data = yaml.safe_load(path.read_text())
    model = Path(data["potential"]["model"])
    data["potential"]["model"] = str(model if model.is_absolute() else (path.parent / model).resolve())
    data["workdir"] = str(Path(workdir).resolve())
    return data


def demo_config(workdir: str = DEMO_WORKDIR) -> MeltConfig:
    return from_mapping(demo_mapping(workdir))
