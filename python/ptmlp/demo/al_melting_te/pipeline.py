"""The stages of the recipe, their order, and the checkpoint that makes the whole campaign resumable.

``recipe_state.json`` in the work folder records, per stage, done / failed, the UTC start, the wall
time and the CPU time (this process and its children) it took. Every stage is itself resumable
(labels are appended one by one, the active-learning loop, training and ``ptmlp melt`` resume), so
killing the command at any moment and running it again loses at most the label, epoch or MD run
in flight. Stages of one level run at once (the first in this thread, the others in threads:
GPAW's timeout alarm needs the main thread).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import resource
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from ...errors import InputError, PtmlpError
from ...jsonfile import read_json, write_json
from .config import RecipeConfig
from .labels import TE_FIXED, recipe_labeler

STATE_FILE = "recipe_state.json"
RESULT_FILE = "result.json"

#: (stage, module, what it does); stages of one inner list run at once
LEVELS: list[list[tuple[str, str, str]]] = [
    [("eos", "eos", "GPAW cold curve of fcc Al: a(P), B(P)")],
    [("convergence", "convergence", "cutoff, k-points and cell size at the highest density"),
     ("estimate", "estimate", "T_m(P) from a classical melt + Lindemann on the DFT cold curve")],
    [("initial", "active", "GPAW labels (T_e = T) of solid and liquid cells at every (P, T)")],
    [("active_learning", "active", "ptmlp al over (P, T, T_e = T) until its own criterion holds")],
    [("relabel", "potentials", "the same configurations at the blind T_e")],
    [("train", "potentials", "T_e-aware and T_e-blind potentials, held-out errors per (P, T)")],
    [("melt", "melting", "T_m(P) of both by NPH coexistence, Simon-Glatzel fits, size check")],
    [("entropy", "melting", "S_e, enthalpy and volume of solid and liquid at T_m")],
    [("report", "report", "anchors, plot, table, README section")],
]
STAGES = [name for level in LEVELS for name, _, _ in level]


def _cpu_s() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Context:
    """What every stage gets: the config, the work folder, the config's hash and a logger."""

    cfg: RecipeConfig
    config_sha256: str = ""
    log: Callable[[str], None] = print
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def work(self) -> Path:
        return Path(self.cfg.workdir)

    def dir(self, stage: str) -> Path:
        path = self.work / stage
        path.mkdir(parents=True, exist_ok=True)
        return path

    def result(self, stage: str) -> dict:
        path = self.work / stage / RESULT_FILE
        if not path.exists():
            raise InputError(f"stage {stage} has no result yet ({path}); run it first")
        return read_json(path)

    def save_result(self, stage: str, result: dict) -> dict:
        write_json(self.dir(stage) / RESULT_FILE, result)
        return result

    def dft_settings(self) -> tuple[float, list[int]]:
        """(cutoff eV, k-points) of every label after the convergence table: the config's, or chosen there."""
        ecut, kpts = self.cfg.dft.ecut_eV, self.cfg.dft.kpts
        if ecut is None or kpts is None:
            chosen = self.result("convergence")["chosen"]
            if chosen.get("ecut_eV") is None or chosen.get("kpts") is None:
                raise InputError("the convergence stage chose no settings (see convergence/result.json); set "
                                 "dft.ecut_eV and dft.kpts")
            ecut = ecut if ecut is not None else chosen["ecut_eV"]
            kpts = kpts if kpts is not None else chosen["kpts"]
        return float(ecut), list(kpts)

    def labeler(self, te_K: float, stage: str, ecut_eV: Optional[float] = None, kpts=None, te_rule: str = TE_FIXED):
        """The recipe's GPAW labeler at ``te_K`` (cutoff and k-points: the given ones, else the chosen ones)."""
        if ecut_eV is None or kpts is None:
            e, k = self.dft_settings()
            ecut_eV, kpts = ecut_eV if ecut_eV is not None else e, kpts if kpts is not None else k
        return recipe_labeler(self.cfg, te_K, ecut_eV, kpts, stage, self.config_sha256, te_rule)

    def stage_log(self, stage: str) -> Callable[[str], None]:
        def log(line: str) -> None:
            with self._lock:
                self.log(f"[{stage}] {line}")
        return log


def config_sha256(path: Optional[str]) -> str:
    if path is None:
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Recipe:
    """Runs the stages in order, skipping those recorded as done."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.state_path = ctx.work / STATE_FILE
        ctx.work.mkdir(parents=True, exist_ok=True)
        self.state = read_state(ctx.work)
        self._lock = threading.Lock()
        # every stage's code is loaded now: a long campaign keeps running the code it started with
        self.modules = {m: importlib.import_module(f"{__package__}.{m}") for level in LEVELS for _, m, _ in level
                        if importlib.util.find_spec(f"{__package__}.{m}") is not None}

    def status(self, stage: str) -> str:
        """done (recorded and its result file is there), running, failed or pending."""
        status = self.state["stages"].get(stage, {}).get("status", "pending")
        if status == "done" and not (self.ctx.work / stage / RESULT_FILE).exists():
            return "pending"  # its folder was removed: run it again
        return status

    def _record(self, stage: str, **values) -> None:
        with self._lock:
            self.state["stages"].setdefault(stage, {}).update(values)
            self.state["config_sha256"] = self.ctx.config_sha256
            write_json(self.state_path, self.state)

    def redo(self, stage: str) -> None:
        """Forget that ``stage`` (and every later one) finished; their files are kept and reused."""
        if stage not in STAGES:
            raise InputError(f"--redo {stage}: no such stage (stages: {', '.join(STAGES)})")
        for name in STAGES[STAGES.index(stage):]:
            if name in self.state["stages"]:
                self.state["stages"][name]["status"] = "pending"
        write_json(self.state_path, self.state)

    def _run_one(self, stage: str, module: str) -> dict:
        log = self.ctx.stage_log(stage)
        t0, c0 = time.monotonic(), _cpu_s()
        self._record(stage, status="running", started_utc=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     error=None)
        log("start")
        try:
            if module not in self.modules:
                raise InputError(f"stage {stage}: module {__package__}.{module} is missing")
            fn = getattr(self.modules[module], f"run_{stage}")
            result = fn(self.ctx, log)
        except BaseException as exc:
            wall = time.monotonic() - t0
            message = str(exc) if isinstance(exc, PtmlpError) else f"{type(exc).__name__}: {exc}"
            self._record(stage, status="failed", error=message, wall_s=wall)
            log(f"failed after {wall:.0f} s: {message}")
            if not isinstance(exc, PtmlpError):
                log(traceback.format_exc())
            raise
        wall, cpu = time.monotonic() - t0, _cpu_s() - c0
        self._record(stage, status="done", wall_s=wall, cpu_s_process_and_children=cpu,
                     finished_utc=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        log(f"done in {wall:.0f} s wall ({cpu:.0f} s CPU of this process and its children"
            f"{', shared with the stages running beside it' if self._concurrent else ''})")
        return result

    def run(self, until: Optional[str] = None, only: Optional[list[str]] = None) -> dict:
        """Run every stage up to ``until`` (or those of ``only``) not recorded as done, level by level."""
        last = STAGES.index(until) if until else len(STAGES) - 1
        before = self.state.get("config_sha256")
        if before and self.ctx.config_sha256 and before != self.ctx.config_sha256:
            done = [s for s in STAGES if self.status(s) == "done"]
            if done:
                self.ctx.log(f"note: the config changed since the last run; finished stages are kept "
                             f"({', '.join(done)}); --redo STAGE runs a stage and every later one again")
        for level in LEVELS:
            todo = [(s, m) for s, m, _ in level if STAGES.index(s) <= last and (only is None or s in only)
                    and self.status(s) != "done"]
            if not todo:
                continue
            self._concurrent = len(todo) > 1
            if len(todo) == 1:
                self._run_one(*todo[0])
                continue
            with ThreadPoolExecutor(max_workers=len(todo) - 1) as pool:
                others = [pool.submit(self._run_one, s, m) for s, m in todo[1:]]
                first_error = None
                try:
                    self._run_one(*todo[0])
                except BaseException as exc:  # wait for the others (their state is recorded) before raising
                    first_error = exc
                for f in others:
                    try:
                        f.result()
                    except BaseException as exc:
                        first_error = first_error or exc
                if first_error is not None:
                    raise first_error
        return self.state

    _concurrent = False


def read_state(work: Path) -> dict:
    """The campaign's state (``recipe_state.json``; no stage recorded when there is none yet)."""
    path = Path(work) / STATE_FILE
    return read_json(path) if path.exists() else {"stages": {}}


def stage_rows(work: Path) -> list[dict]:
    """Every stage in order: name, what it does, status, wall and CPU time (h, or None), error."""
    state = read_state(work)
    rows = []
    for level in LEVELS:
        for name, _, what in level:
            s = state["stages"].get(name, {})
            hours = {k: (s[key] / 3600 if s.get(key) is not None else None)
                     for k, key in (("wall_h", "wall_s"), ("cpu_h", "cpu_s_process_and_children"))}
            rows.append({"stage": name, "what": what, "status": s.get("status", "pending"), **hours,
                         "error": s.get("error")})
    return rows


def _hours(h) -> str:
    return "-" if h is None else f"{h:.2f} h"


def status_lines(work: Path) -> list[str]:
    lines = [f"{'stage':16s} {'status':8s} {'wall':>10s} {'CPU':>10s}  what"]
    for r in stage_rows(work):
        lines.append(f"{r['stage']:16s} {r['status']:8s} {_hours(r['wall_h']):>10s} {_hours(r['cpu_h']):>10s}  "
                     f"{r['what']}" + (f"  [{r['error']}]" if r["error"] else ""))
    return lines
