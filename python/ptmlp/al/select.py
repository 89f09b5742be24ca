"""Selection of exploration frames for labelling.

Frames are accurate (max force deviation < trust_lo), candidates (trust_lo <= devi < trust_hi)
or failed (>= trust_hi: too far off to trust the geometry, excluded). Candidates already in the
dataset are dropped; the rest are thinned by farthest-point sampling in descriptor space
(mean per-atom descriptor of ensemble member 0), with caps per (P, T) point and per iteration.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import numpy as np
from pydantic import model_validator

from ..config import StrictModel, field
from ..data.structure_hash import structure_hash

if TYPE_CHECKING:
    from .explore import ExploredFrame


class SelectConfig(StrictModel):
    """Selection of explored frames by the ensemble's largest force deviation."""

    trust_lo: float = field(0.05, "frames with a max force deviation below this are accurate (eV/A)", ge=0)
    trust_hi: float = field(0.30, "frames at or above this are failed, never labelled (eV/A)", gt=0)
    max_per_iteration: int = field(50, "most frames labelled per iteration", ge=1)
    max_per_point: int = field(20, "most frames labelled per (P, T, T_e) point", ge=1)
    farthest_point: bool = field(True, "thin candidates by farthest-point sampling in descriptor space "
                                       "(else evenly in time)")

    @model_validator(mode="after")
    def _window(self) -> "SelectConfig":
        if not self.trust_lo < self.trust_hi:
            raise ValueError(f"trust_lo={self.trust_lo:g} must be below trust_hi={self.trust_hi:g}")
        return self


def point_key(f: ExploredFrame) -> str:
    p = "NVT" if math.isnan(f.pressure_GPa) else f"{f.pressure_GPa:g} GPa"
    te = "" if math.isnan(f.te_K) else f", T_e {f.te_K:g} K"
    return f"{p}, {f.temperature_K:g} K{te}"


def farthest_point_order(x: np.ndarray, first: int = 0) -> list[int]:
    """Indices of rows of ``x`` in farthest-point order starting at ``first``."""
    n = len(x)
    if n == 0:
        return []
    order = [first]
    dist = np.linalg.norm(x - x[first], axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(dist))
        if dist[nxt] <= 0 and len(order) >= n:
            break
        order.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(x - x[nxt], axis=1))
    seen, out = set(), []
    for i in order:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def classify(frames: Sequence[ExploredFrame], cfg: SelectConfig) -> dict[str, dict[str, float]]:
    """Per (P, T) point: counts and fractions of accurate / candidate / failed frames."""
    stats: dict[str, dict[str, float]] = defaultdict(lambda: {"accurate": 0, "candidate": 0, "failed": 0})
    for f in frames:
        kind = "accurate" if f.max_devi_f < cfg.trust_lo else "candidate" if f.max_devi_f < cfg.trust_hi else "failed"
        stats[point_key(f)][kind] += 1
    out = {}
    for key, c in sorted(stats.items()):
        n = sum(c.values())
        out[key] = {**c, "n": n, **{f"{k}_fraction": c[k] / n for k in ("accurate", "candidate", "failed")}}
    return out


def select(frames: Sequence[ExploredFrame], cfg: SelectConfig, known_hashes: set[str],
           descriptor: Optional[Callable] = None) -> tuple[list[ExploredFrame], dict]:
    """Candidates to label this iteration and a summary (fractions overall and per point)."""
    cands = [f for f in frames if cfg.trust_lo <= f.max_devi_f < cfg.trust_hi]
    fresh = [f for f in cands if structure_hash(f.atoms, f.te_K) not in known_hashes]
    by_point: dict[str, list[ExploredFrame]] = defaultdict(list)
    for f in fresh:
        by_point[point_key(f)].append(f)
    picked: list[ExploredFrame] = []
    for key, group in sorted(by_point.items()):
        picked.extend(_thin(group, cfg.max_per_point, cfg.farthest_point, descriptor))
    if len(picked) > cfg.max_per_iteration:
        picked = _thin(picked, cfg.max_per_iteration, cfg.farthest_point, descriptor)
    n = max(len(frames), 1)
    summary = {"n_frames": len(frames),
               "accurate_fraction": sum(f.max_devi_f < cfg.trust_lo for f in frames) / n,
               "candidate_fraction": len(cands) / n,
               "failed_fraction": sum(f.max_devi_f >= cfg.trust_hi for f in frames) / n,
               "candidates_new": len(fresh), "selected": len(picked), "per_point": classify(frames, cfg)}
    return picked, summary


def _thin(group: list[ExploredFrame], cap: int, fps: bool, descriptor) -> list[ExploredFrame]:
    if len(group) <= cap:
        return list(group)
    if not fps or descriptor is None:
        idx = np.linspace(0, len(group) - 1, cap).round().astype(int)
        return [group[i] for i in idx]
    x = np.array([descriptor(f.atoms) for f in group])
    first = int(np.argmax([f.max_devi_f for f in group]))  # start from the least trusted frame
    return [group[i] for i in farthest_point_order(x, first)[:cap]]
