"""The shipped transport templates (``inputs/gk_kappa.in``, ...) and the variables each declares.

A template declares its variables with ``variable NAME index DEFAULT`` lines; those lines are the
one list of what ``-var NAME VALUE`` (and ``variables:`` of ``ptmlp transport run``) may set.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError

TEMPLATES = ("gk_kappa", "gk_viscosity", "msd", "nemd_kappa", "nemd_viscosity")

#: variables the drivers set themselves (data file, interaction include, species, seed)
DRIVER_VARIABLES = {"data": "the structure", "potential": "the potential", "species": "the potential's type names",
                    "seed": "first_seed"}

_DECLARATION = re.compile(r"^\s*variable\s+(\S+)\s+index\s+(\S+)", re.MULTILINE)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def template_path(name: str) -> Path:
    """``inputs/<name>.in`` of a transport template."""
    from ..resources import input_template

    stem = name[:-3] if name.endswith(".in") else name
    if stem not in TEMPLATES:
        raise InputError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return input_template(stem)


@lru_cache(maxsize=None)
def template_variables(name: str) -> dict[str, str]:
    """{variable: default} from the template's ``variable NAME index DEFAULT`` lines."""
    return dict(_DECLARATION.findall(template_path(name).read_text()))


def variable_problem(template: str, name: str, value: Any) -> Optional[str]:
    """Why ``name = value`` cannot be passed to ``template`` (one line), or None if it can.

    The name must be declared by the template and not be one the driver sets; where the
    template's default is a number the value must be a number, where it is yes/no a boolean
    (or "yes"/"no"), elsewhere a string or number.
    """
    declared = template_variables(template)
    if name in DRIVER_VARIABLES:
        return f"variables.{name}: set by ptmlp transport from {DRIVER_VARIABLES[name]}; remove it"
    if name not in declared:
        close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "it has " + ", ".join(
            v for v in declared if v not in DRIVER_VARIABLES)
        return f"variables.{name}: {template}.in has no variable {name!r} ({hint})"
    default = declared[name]
    shown = f"variables.{name} = {value!r}"
    if _NUMBER.match(default):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{shown}: expected a number ({template}.in's default is {default})"
    elif default in ("yes", "no"):
        if not (isinstance(value, bool) or value in ("yes", "no")):
            return f"{shown}: expected true or false ({template}.in's default is {default})"
    elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"{shown}: expected a string or a number ({template}.in's default is {default})"
    return None


def check_variables(template: str, variables: dict) -> None:
    """One-line :class:`InputError` for the first variable ``template`` cannot take."""
    for name, value in variables.items():
        problem = variable_problem(template, str(name), value)
        if problem:
            raise InputError(problem)


def lammps_value(value: Any) -> str:
    """A variable value as LAMMPS reads it on the command line (booleans as yes/no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def total_steps(template: str, variables: dict) -> int:
    """MD steps a template run takes with ``variables`` (its defaults elsewhere): the melt stage
    (when T_melt > 0), the equilibration, and the production (steady_steps + run_steps for NEMD)."""
    v = {**template_variables(template), **{k: lammps_value(x) for k, x in variables.items()}}

    def number(name: str) -> float:
        try:
            return float(v.get(name, 0))
        except ValueError:
            return 0.0
    melt = number("melt_steps") if number("T_melt") > 0 else 0.0
    return int(melt + number("equil_steps") + number("steady_steps") + number("run_steps"))
