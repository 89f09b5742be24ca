"""GPAW labels of the recipe: the house GPAW labeler and runner, with the recipe's provenance in
every frame and a progress line (count, seconds per label, ETA) per label.

Each frame's provenance (stored in the dataset's HDF5 provenance table, one JSON string per
distinct setting) carries the GPAW settings of :class:`ptmlp.labelers.gpaw_labeler.GpawLabeler`
(``code: gpaw <version>``, xc, cutoff, k-points, Fermi-Dirac width, T_e) plus the recipe, its stage,
the SHA-256 of the recipe's YAML and the rule that set T_e (``te_rule``), so a dataset says how it
was made. The rules:

- ``te_ion.h5`` (stages initial, active_learning): ``T_e = T_ion`` -- every configuration labelled
  with Fermi-Dirac occupations at the ionic temperature of its (P, T) point;
- ``te_blind.h5`` (stage relabel): ``T_e = te_blind_K for every configuration`` -- the same
  configurations (same positions and cell, same group names) labelled again at one low T_e;
- eos and convergence: ``fixed T_e of the stage``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from ...data.store import Dataset
from ...data.structure_hash import structure_hash
from ...labelers.gpaw_labeler import GpawLabeler
from ...labelers.runner import LabelReport, label_structures
from ...progress import format_duration

RECIPE = "python -m ptmlp.demo.al_melting_te"

TE_ION = "T_e = T_ion (Fermi-Dirac occupations at the ionic temperature of the frame's (P, T) point)"
TE_FIXED = "fixed T_e of the stage"


def te_blind_rule(te_blind_K: float) -> str:
    return (f"T_e = {te_blind_K:g} K for every configuration (T_e-blind relabelling of the T_e = T_ion "
            "configurations: same positions, cell and group)")


class RecipeGpawLabeler(GpawLabeler):
    """:class:`GpawLabeler` whose provenance names the recipe, the stage, the config hash and the T_e rule."""

    def __init__(self, *args, recipe_info: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipe_info = dict(recipe_info or {})

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), **self.recipe_info}

    def describe(self) -> str:
        k = "x".join(map(str, self.kpts)) if self.kpts else f"density {self.kpt_density_per_A:g}/A"
        return f"GPAW {self.xc}, PW {self.ecut_eV:g} eV, k {k}, Fermi-Dirac T_e = {self.te_K:g} K"


def recipe_labeler(cfg, te_K: float, ecut_eV: float, kpts: Sequence[int], stage: str = "",
                   config_sha256: str = "", te_rule: str = TE_FIXED) -> RecipeGpawLabeler:
    """GPAW at ``te_K`` with the recipe's functional; cutoff and k-points as given (the chosen ones
    of the convergence stage in every stage after it)."""
    info = {"recipe": RECIPE, "stage": stage, "recipe_config_sha256": config_sha256, "te_rule": te_rule}
    return RecipeGpawLabeler(te_K=float(te_K), xc=cfg.dft.xc, ecut_eV=float(ecut_eV),
                             kpts=tuple(int(k) for k in kpts), recipe_info=info)


def label(ctx, structures, labeler, dataset, groups: Sequence[str], log: Callable[[str], None],
          what: str = "labels") -> LabelReport:
    """Label ``structures`` into ``dataset`` (resumable: frames already there or failed before are
    skipped, each new one is appended as soon as it is computed) with a log line per label: count,
    seconds per label so far and the ETA of this call."""
    structures = list(structures)
    done = set(Dataset(dataset).hashes()) if Path(dataset).exists() else set()
    todo = sum(1 for a in structures if structure_hash(a, labeler.te_K) not in done)
    t0, count = time.monotonic(), [0]
    if todo:
        log(f"{what}: {todo} of {len(structures)} to label with {labeler.describe()}")

    def tick(index: int, outcome: str) -> None:
        count[0] += 1
        elapsed = time.monotonic() - t0
        per = elapsed / count[0]  # wall seconds per label at this call's throughput (all processes)
        log(f"{what}: {count[0]}/{todo} ({outcome}) {per:.0f} s/label, {format_duration(elapsed)} elapsed, "
            f"ETA {format_duration(max(todo - count[0], 0) * per)}")

    report = label_structures(structures, labeler, str(dataset), groups=list(groups),
                              processes=ctx.cfg.dft.processes, timeout_s=ctx.cfg.dft.timeout_s, progress=False,
                              on_result=tick)
    log(f"{what}: {report.line()}")
    return report
