"""Partial radial distribution functions of a LAMMPS dump (freud), averaged over frames.

Per species pair: g(r), the first-peak position and height and the running coordination
number up to the first minimum after the peak.
"""

from __future__ import annotations

import os
from itertools import combinations_with_replacement
from typing import Sequence

import numpy as np

from ..errors import InputError
from ..jsonfile import write_json
from ..lammps_data import read_dump_frames


def partial_rdfs(frames, r_max_A: float, bins: int) -> dict:
    import freud

    species = sorted({s for a in frames for s in a.get_chemical_symbols()})
    out = {}
    for a_sp, b_sp in combinations_with_replacement(species, 2):
        rdf = freud.density.RDF(bins=bins, r_max=r_max_A)
        for atoms in frames:
            box = freud.box.Box.from_matrix(atoms.cell.array.T)
            sym = np.array(atoms.get_chemical_symbols())
            pts = box.wrap(atoms.positions - atoms.cell.array.sum(0) / 2)
            pa, pb = pts[sym == a_sp], pts[sym == b_sp]
            if len(pa) == 0 or len(pb) == 0:
                continue
            exclude = a_sp == b_sp
            rdf.compute(system=(box, pb), query_points=pa, reset=False,
                        neighbors={"r_max": r_max_A, "exclude_ii": exclude})
        g = np.asarray(rdf.rdf)
        r = np.asarray(rdf.bin_centers)
        n_r = np.asarray(rdf.n_r)
        peak = int(np.argmax(g))
        after = peak + int(np.argmin(g[peak:])) if peak < len(g) - 1 else peak
        out[f"{a_sp}-{b_sp}"] = {"r_A": r.tolist(), "g": g.tolist(), "first_peak_r_A": float(r[peak]),
                                 "first_peak_g": float(g[peak]), "first_min_r_A": float(r[after]),
                                 "coordination_to_first_min": float(n_r[after])}
    return out


def rdf_report(dumps: Sequence[str], type_names: Sequence[str], out_dir: str, r_max_A: float = 6.0,
               bins: int = 120, skip_frames: int = 0) -> dict:
    frames = []
    for path in dumps:
        if not os.path.exists(path):
            raise InputError(f"dump {path}: no such file")
        frames += [a for _, a in read_dump_frames(path, type_names)][skip_frames:]
    if not frames:
        raise InputError(f"no complete frames with 'id type x y z' in {list(dumps)}")
    half = min(np.min(np.linalg.norm(np.linalg.inv(a.cell.array).T, axis=1) ** -1) for a in frames) / 2
    if r_max_A > half:
        raise InputError(f"r_max {r_max_A} A exceeds half the smallest cell height ({half:.2f} A); lower --r-max")
    result = {"n_frames": len(frames), "r_max_A": r_max_A, "pairs": partial_rdfs(frames, r_max_A, bins)}
    os.makedirs(out_dir, exist_ok=True)
    write_json(os.path.join(out_dir, "summary.json"), result)
    from ..figures import pyplot, save_figure

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6, 4))
    for key, d in result["pairs"].items():
        ax.plot(d["r_A"], d["g"], label=f"{key} (peak {d['first_peak_r_A']:.2f} Å, CN {d['coordination_to_first_min']:.1f})")
    ax.axhline(1.0, color="0.7", lw=0.8)
    ax.set_xlabel("r (Å)")
    ax.set_ylabel("g(r)")
    ax.legend(fontsize=8)
    ax.set_title(f"{len(frames)} frames")
    fig.tight_layout()
    result["plot"] = os.path.join(out_dir, "rdf.png")
    save_figure(fig, result["plot"], dpi=110)
    return result
