"""The model configurations of the bench: one ``Model`` per marker on the Pareto plot.

Each family module (model_*.py) returns its configurations from ``models(ctx)``. A Model says
how it is trained (``train``: writes its files under ctx.model_dir(name), returns a record with
its training wall time and length), how it predicts (``spec``: the JSON that predict.py and
time_ase.py read, run with the Python of ``venv``) and how it runs MD (``pair_lines`` for the
LAMMPS route, else the ASE route). ``unavailable`` returns why it cannot run here (or None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional


@dataclass
class Context:
    data: Path  # the mlearn-format folder
    work: Path  # this data set's work folder
    species: list[str]
    args: object  # run.py's parsed options

    @property
    def files(self) -> Path:
        return self.work / "data"

    def model_dir(self, name: str) -> Path:
        path = self.work / "models" / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class Model:
    name: str
    label: str
    family: str
    train: Optional[Callable[[Context], dict]]
    spec: Callable[[Context, dict], dict]
    pair_lines: Optional[Callable[[Context, dict], list[str]]] = None
    venv: Optional[str] = None  # bench venv name (None: the project venv)
    threaded: bool = False  # has a threaded kernel: timed in mode omp2 too
    unavailable: Callable[[Context], Optional[str]] = field(default=lambda ctx: None)
    notes: str = ""

    @property
    def route(self) -> str:
        return "lmp" if self.pair_lines is not None else "ase"


def masses(ctx: Context) -> list[str]:
    """``mass`` lines of the LAMMPS types (ctx.species in order)."""
    from ptmlp.potential import element_mass

    return [f"mass {k + 1} {element_mass(s):.6f}" for k, s in enumerate(ctx.species)]


def potential_lines(ctx: Context, potential: dict) -> list[str]:
    """pair_style / pair_coeff / mass lines of a pair-style PotentialSpec dict."""
    from ptmlp.potential import PotentialSpec

    return PotentialSpec(**potential).lammps_lines(ctx.species)


def venv_missing(name: str) -> Callable[[Context], Optional[str]]:
    """``unavailable`` of a model that needs bench venv ``name``."""
    def why(ctx: Context) -> Optional[str]:
        from common import venv_ready

        return None if venv_ready(name) else f"bench venv .venv-{name} missing: bash bench/frontier/setup_venv.sh {name}"
    return why


def all_models(ctx: Context) -> list[Model]:
    import model_deepmd
    import model_mace
    import model_nequip
    import model_pod
    import model_ptmlp
    import model_snap
    import model_uf3

    out: list[Model] = []
    for module in (model_snap, model_pod, model_uf3, model_ptmlp, model_deepmd, model_mace, model_nequip):
        out += module.models(ctx)
    return out
