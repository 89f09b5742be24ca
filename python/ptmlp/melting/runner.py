"""Restartable LAMMPS runs of ``inputs/melt.in``: one folder per run, ``result.json`` when done.

A run whose folder holds a ``result.json`` with the same input hash (template, variables and
every input file's content) is not redone; a folder without one (a killed run) is emptied and
run again. With fixed seeds and rank counts LAMMPS repeats itself bit for bit, so a resumed
workflow gives the same answer as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..errors import InputError, LammpsRunError
from ..jsonfile import read_json, write_json
from ..lammps_env import run_lammps

RESULT_FILE = "result.json"
TEMPLATE_NAME = "melt.in"


def template_path() -> Path:
    """The shipped ``inputs/melt.in``."""
    from ..resources import input_template

    return input_template(TEMPLATE_NAME)


@dataclass
class RunSpec:
    """One LAMMPS run: folder (relative to the work folder), -var values, files copied in."""

    name: str
    variables: dict
    files: dict = field(default_factory=dict)  # name in run folder -> source path
    nprocs: int = 1

    def input_hash(self, template: Path) -> str:
        h = hashlib.sha256()
        # comment lines do not change a run: editing the template's documentation keeps finished runs
        code = [ln for ln in template.read_text().splitlines() if not ln.lstrip().startswith("#")]
        h.update("\n".join(code).encode())
        h.update(json.dumps(self.variables, sort_keys=True, default=str).encode())
        for name in sorted(self.files):
            h.update(name.encode())
            h.update(Path(self.files[name]).read_bytes())
        h.update(str(self.nprocs).encode())
        return h.hexdigest()


class Runner:
    """Runs :class:`RunSpec` s in ``root`` at most ``parallel`` at a time; reuses finished runs."""

    def __init__(self, root: Path, parallel: int = 1, timeout_s: Optional[float] = None,
                 log: Callable[[str], None] = print):
        self.root = Path(root)
        self.template = template_path()
        self.timeout_s = timeout_s
        self.log = log
        self._slots = threading.Semaphore(parallel)
        self.n_run = 0
        self.n_reused = 0
        self._lock = threading.Lock()

    def run(self, spec: RunSpec, parse: Callable[[Path], dict]) -> dict:
        """Result of ``spec`` (``parse(folder)`` plus bookkeeping), from disk when already done."""
        folder = self.root / spec.name
        digest = spec.input_hash(self.template)
        done = folder / RESULT_FILE
        if done.exists():
            try:
                result = read_json(done)
            except InputError:  # not valid JSON: the run is done again
                result = {}
            if isinstance(result, dict) and result.get("input_hash") == digest:
                with self._lock:
                    self.n_reused += 1
                return result
        with self._slots:
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            shutil.copy(self.template, folder / TEMPLATE_NAME)
            for name, src in spec.files.items():
                shutil.copy(src, folder / name)
            self.log(f"  run {spec.name} ...")
            t0 = time.monotonic()
            try:
                run_lammps(TEMPLATE_NAME, folder, nprocs=spec.nprocs, variables=spec.variables,
                           timeout_s=self.timeout_s)
            except subprocess.TimeoutExpired:
                raise LammpsRunError(f"LAMMPS run {folder} exceeded run_timeout_s={self.timeout_s} s") from None
            wall = time.monotonic() - t0
        result = parse(folder)
        result.update({"input_hash": digest, "run": spec.name, "wall_s": wall, "nprocs": spec.nprocs})
        write_json(done, result)
        with self._lock:
            self.n_run += 1
        return read_json(done)  # as a reused run returns it (non-finite numbers are null)


# ---------------------------------------------------------------------- output parsers
SERIES_COLUMNS = ["time_ps", "T_K", "P_bar", "Pxx_bar", "Pyy_bar", "Pzz_bar", "Lx_A", "Ly_A", "Lz_A", "V_A3",
                  "pe_eV", "enthalpy_eV", "fsolid"]


def read_series(path: Path) -> dict[str, np.ndarray]:
    """``melt_series.dat`` (fix ave/time) as {column: array}; the first column is the step."""
    data = np.loadtxt(path, comments="#", ndmin=2)
    out = {"step": data[:, 0]}
    for k, name in enumerate(SERIES_COLUMNS):
        out[name] = data[:, k + 1]
    return out


def read_histogram(path: Path) -> np.ndarray:
    """Last block of ``melt_hist.dat`` (fix ave/histo, running average): counts per solid-bond number."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    blocks = []
    k = 0
    while k < len(lines):
        n_bins = int(lines[k][1])
        rows = lines[k + 1:k + 1 + n_bins]
        blocks.append(np.array([float(r[2]) for r in rows]))
        k += 1 + n_bins
    if not blocks:
        raise LammpsRunError(f"{path} holds no histogram")
    return blocks[-1]


def read_profiles(path: Path) -> dict[str, np.ndarray]:
    """``melt_profile.dat`` (fix ave/chunk): time steps, bin centres (fraction of Lz), number
    density (1/A^3) and mean solid label per bin, shaped [n_frames, n_bins]."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    steps, coord, dens, solid = [], [], [], []
    k = 0
    while k < len(lines):
        step, n = int(lines[k][0]), int(lines[k][1])
        rows = np.array([[float(v) for v in r] for r in lines[k + 1:k + 1 + n]])
        steps.append(step)
        coord.append(rows[:, 1])
        dens.append(rows[:, 3])
        solid.append(rows[:, 4])
        k += 1 + n
    return {"step": np.array(steps), "z_frac": np.array(coord), "density_per_A3": np.array(dens),
            "solid_label": np.array(solid)}
