"""Files that ship inside the package (LAMMPS input templates, sbatch templates, demo models and
data), found through :mod:`importlib.resources` so that an installed wheel works the same as a
checkout. In a checkout, the top-level ``inputs/`` and ``slurm/`` are links to these folders."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import InputError


def package_dir(*parts: str) -> Path:
    """A folder or file inside the installed ``ptmlp`` package (a real path: ptmlp is never run
    from a zip)."""
    return Path(str(resources.files("ptmlp").joinpath(*parts)))


def inputs_dir() -> Path:
    """The LAMMPS input templates (``melt.in``, ``gk_kappa.in``, ...) and example configs."""
    return package_dir("templates", "inputs")


def slurm_dir() -> Path:
    """The sbatch templates."""
    return package_dir("templates", "slurm")


def input_template(name: str) -> Path:
    """``inputs/<name>`` (``.in`` added when missing); one-line error when it is not shipped."""
    fname = name if "." in Path(name).name else f"{name}.in"
    path = inputs_dir() / fname
    if not path.is_file():
        shipped = sorted(p.name for p in inputs_dir().glob("*.in"))
        raise InputError(f"LAMMPS template {name!r} is not shipped with ptmlp (have: {', '.join(shipped)})")
    return path


def demo_file(name: str) -> Path:
    """A shipped demo file (``fe_demo.pt``, ``al_tel_data.h5``, ...)."""
    return package_dir("demo", name)
