"""Fit a UF3 potential with UF3's own tools and write it for ``pair_style uf3`` (runs in .venv-uf3).

    python fit_uf3.py TRAIN.extxyz OUT_DIR SETTINGS.json

SETTINGS: {"species": [..], "degree": 2|3, "r_min_A": 1.5, "r_max_2b_A": 5.5, "r_max_3b_A": 3.5,
"resolution_2b": 25, "resolution_3b": [5, 5, 10], "ridge_1b": 1e-6, "curvature_2b": 1e-8,
"curvature_3b": 1e-8, "energy_weight": 0.5}

The steps of UF3's tungsten examples: ``DataCoordinator`` reads the frames, ``BasisFeaturizer``
evaluates the B-spline energy/force features (serial), ``WeightedLinearModel`` solves the
regularized least squares (energy weight 0.5 = UF3's default balance). The LAMMPS file (2B and
3B blocks, knots "nk") follows the layout of UF3's ``generate_uf3_lammps_pots.py``: 3-body knot
lines in the order jk, ik, ij and the coefficient matrix in the order ij, ik, jk; LAMMPS needs
r_max_jk = 2 r_max_ij = 2 r_max_ik. LAMMPS has no 1-body term: the fitted per-element 1-body
energies go to ``one_body_eV.json`` and the bench adds them per atom to LAMMPS energies.
Writes OUT_DIR/model.json (UF3's own), OUT_DIR/potential.uf3, OUT_DIR/one_body_eV.json.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path


def main(train: str, out_dir: str, settings_path: str) -> int:
    import numpy as np
    from uf3.data import composition, io
    from uf3.regression import least_squares
    from uf3.representation import bspline, process

    s = json.loads(Path(settings_path).read_text())
    out = Path(out_dir)
    species, degree = list(s["species"]), int(s["degree"])
    chem = composition.ChemicalSystem(element_list=species, degree=degree)
    r_min, r_max, res = {}, {}, {}
    for pair in chem.interactions_map[2]:
        r_min[pair], r_max[pair], res[pair] = s["r_min_A"], s["r_max_2b_A"], s["resolution_2b"]
    if degree > 2:
        r3 = s["r_max_3b_A"]
        for trio in chem.interactions_map[3]:
            r_min[trio] = [s["r_min_A"]] * 3
            r_max[trio] = [r3, r3, 2 * r3]
            res[trio] = list(s["resolution_3b"])
    config = bspline.BSplineBasis(chem, r_min_map=r_min, r_max_map=r_max, resolution_map=res, trailing_trim=3)

    t0 = time.monotonic()
    coord = io.DataCoordinator()
    coord.dataframe_from_trajectory(train, prefix="dft")
    df_data = coord.consolidate()
    featurizer = process.BasisFeaturizer(config)
    df_features = featurizer.evaluate(df_data, atoms_key=coord.atoms_key, energy_key=coord.energy_key, progress=None)
    t_features = time.monotonic() - t0

    reg = {"ridge_1b": s["ridge_1b"], "curvature_2b": s["curvature_2b"]}
    if degree > 2:
        reg["curvature_3b"] = s["curvature_3b"]
    model = least_squares.WeightedLinearModel(config, regularizer=config.get_regularization_matrix(**reg))
    tuples = least_squares.dataframe_to_tuples(df_features, n_elements=len(species), energy_key=coord.energy_key)
    x_e, y_e, x_f, y_f = tuples[:4]
    model.fit(x_e, y_e, x_f, y_f, weight=float(s["energy_weight"]))
    model.to_json(str(out / "model.json"))
    t_fit = time.monotonic() - t0 - t_features

    solutions = least_squares.arrange_coefficients(model.coefficients, config)
    one_body = {el: float(np.ravel(solutions[el])[0]) for el in species}
    (out / "one_body_eV.json").write_text(json.dumps(one_body))
    (out / "potential.uf3").write_text(lammps_file(config, model, solutions, chem, degree))
    (out / "fit_times.json").write_text(json.dumps({"features_s": t_features, "fit_s": t_fit,
                                                    "coefficients": int(len(model.coefficients))}))
    return 0


def _join(values) -> str:
    return " ".join(f"{float(v):.17g}" for v in values)


def lammps_file(config, model, solutions, chem, degree: int) -> str:
    head = f"#UF3 POT UNITS: metal DATE: {datetime.now():%Y-%m-%d %H:%M:%S} AUTHOR: ptmlp_bench CITATION:\n"
    lead, trail = config.leading_trim, config.trailing_trim
    blocks = []
    sizes, starts = config.get_interaction_partitions()
    for pair in chem.interactions_map[2]:
        knots = config.knots_map[pair]
        coeffs = model.coefficients[starts[pair]:starts[pair] + sizes[pair]]
        blocks.append(head + f"2B {pair[0]} {pair[1]} {lead} {trail} nk\n{config.r_max_map[pair]} {len(knots)}\n"
                      f"{_join(knots)}\n{len(coeffs)}\n{_join(coeffs)}\n#\n")
    if degree > 2:
        for trio in chem.interactions_map[3]:
            knots, rmax = config.knots_map[trio], config.r_max_map[trio]
            c3 = config.decompress_3B(solutions[trio], trio)
            text = head + f"3B {trio[0]} {trio[1]} {trio[2]} {lead} {trail} nk\n"
            text += f"{rmax[2]} {rmax[1]} {rmax[0]} {len(knots[2])} {len(knots[1])} {len(knots[0])}\n"
            text += f"{_join(knots[2])}\n{_join(knots[1])}\n{_join(knots[0])}\n"
            text += f"{c3.shape[0]} {c3.shape[1]} {c3.shape[2]}\n"
            text += "".join(_join(c3[i, j]) + "\n" for i in range(c3.shape[0]) for j in range(c3.shape[1]))
            blocks.append(text + "#\n")
    return "".join(blocks)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
