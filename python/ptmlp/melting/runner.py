"""Restartable LAMMPS runs of ``inputs/melt.in``: one folder per run, ``result.json`` when done.

A run whose folder holds a ``result.json`` with the same input hash (template, variables and
every input file's content) is not redone; a folder without one (a killed run) is emptied and
run again. With fixed seeds and rank counts LAMMPS repeats itself bit for bit, so a resumed
workflow gives the same answer as an uninterrupted one. "Reused" counts only runs found finished
on disk from an earlier invocation; a run asked for twice in one invocation is counted once.

Progress (:class:`ptmlp.progress.RunBoard`): a line when a run starts (when it gets its slot,
not when it is queued) and when it ends (duration and, when the caller gives ``verdict``, the
verdict on its result), with a running count and an ETA; while it runs, a line every 10 % of
its steps, read from the growing ``log.lammps`` (:func:`ptmlp.thermo.read_thermo_blocks`).
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
from ..progress import RunBoard
from ..thermo import read_thermo_blocks

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
    n_atoms: int = 0  # for progress and ETA only (not part of the hash)
    steps: int = 0  # MD steps of the whole run (progress and ETA only)

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
                 log: Callable[[str], None] = print, poll_s: float = 2.0):
        self.root = Path(root)
        self.template = template_path()
        self.timeout_s = timeout_s
        self.log = log
        self.board = RunBoard(log, parallel)
        self.poll_s = poll_s
        self._slots = threading.Semaphore(parallel)
        self.n_run = 0
        self.n_reused = 0
        self._seen: set = set()  # runs finished or reused in this invocation
        self._lock = threading.Lock()

    def plan(self, spec: RunSpec) -> None:
        """Count a run that will be needed in the progress count and ETA (unless it is on disk)."""
        if spec.name not in self._seen and not self._finished_on_disk(spec):
            self.board.plan(spec.name, spec.n_atoms * spec.steps)

    def _finished_on_disk(self, spec: RunSpec) -> Optional[dict]:
        done = self.root / spec.name / RESULT_FILE
        if not done.exists():
            return None
        try:
            result = read_json(done)
        except InputError:  # not valid JSON: the run is done again
            return None
        ok = isinstance(result, dict) and result.get("input_hash") == spec.input_hash(self.template)
        return result if ok else None

    def run(self, spec: RunSpec, parse: Callable[[Path], dict],
            verdict: Optional[Callable[[dict], str]] = None) -> dict:
        """Result of ``spec`` (``parse(folder)`` plus bookkeeping), from disk when already done.
        ``verdict(result)`` (optional) is printed on the run's end line."""
        folder = self.root / spec.name
        digest = spec.input_hash(self.template)
        done = folder / RESULT_FILE
        result = self._finished_on_disk(spec)
        if result is not None:
            with self._lock:
                if spec.name not in self._seen:
                    self._seen.add(spec.name)
                    self.n_reused += 1
                    self.board.unplan(spec.name)
            return result
        with self._slots:
            result = self._finished_on_disk(spec)  # another thread ran it while this one waited
            if result is not None:
                return result
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            shutil.copy(self.template, folder / TEMPLATE_NAME)
            for name, src in spec.files.items():
                shutil.copy(src, folder / name)
            what = f"{spec.n_atoms} atoms, {spec.steps} steps" if spec.steps else ""
            self.board.started(spec.name, spec.n_atoms * spec.steps, what)
            stop = threading.Event()
            watcher = threading.Thread(target=self._watch, args=(spec, folder / "log.lammps", stop), daemon=True)
            watcher.start()
            t0 = time.monotonic()
            try:
                run_lammps(TEMPLATE_NAME, folder, nprocs=spec.nprocs, variables=spec.variables,
                           timeout_s=self.timeout_s)
            except subprocess.TimeoutExpired:
                self.board.finished(spec.name, "timed out")
                raise LammpsRunError(f"LAMMPS run {folder} exceeded run_timeout_s={self.timeout_s} s") from None
            except Exception:
                self.board.finished(spec.name, "failed")
                raise
            finally:
                stop.set()
                watcher.join()
            wall = time.monotonic() - t0
            result = parse(folder)
            result.update({"input_hash": digest, "run": spec.name, "wall_s": wall, "nprocs": spec.nprocs})
            write_json(done, result)
            result = read_json(done)  # as a reused run returns it (non-finite numbers are null)
            with self._lock:
                self.n_run += 1
                self._seen.add(spec.name)
            self.board.finished(spec.name, verdict(result) if verdict else "finished")
        return result

    def _watch(self, spec: RunSpec, log_path: Path, stop: threading.Event) -> None:
        """Progress within a run: the last step in the growing log.lammps over the run's steps."""
        if not spec.steps:
            return
        while not stop.wait(self.poll_s):
            try:
                blocks = read_thermo_blocks(log_path)
            except OSError:
                continue
            steps = sum(float(b["Step"][-1] - b["Step"][0]) for b in blocks if len(b.get("Step", [])))
            last = blocks[-1] if blocks else {}
            extra = f"T = {last['Temp'][-1]:.0f} K" if "Temp" in last else ""
            self.board.progress(spec.name, steps / spec.steps, extra)


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
