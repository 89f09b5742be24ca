"""UF3 (ultra-fast force fields, ``uf3`` on PyPI): fitted with UF3's own featurizer and linear
least squares in ``.venv-uf3`` (fit_uf3.py), run with ``pair_style uf3`` of the project's lmp.

``uf3_2b`` is the pair potential (resolution 25, r_max 5.5 A); ``uf3_23`` adds the 3-body term
with the sizes of UF3's tungsten demo (r_max 3.5/3.5/7.0 A, resolution 5/5/10). Regularization as
in that demo (ridge_1b 1e-6, curvature 1e-8). LAMMPS pair_style uf3 has no 1-body term: the bench
adds the fitted 1-body energies per atom when it scores (an energy constant per atom; forces and
stresses unchanged).
"""

from __future__ import annotations

import json

from registry import Context, Model, potential_lines, venv_missing

BASE = {"r_min_A": 1.5, "r_max_2b_A": 5.5, "r_max_3b_A": 3.5, "resolution_2b": 25, "resolution_3b": [5, 5, 10],
        "ridge_1b": 1e-6, "curvature_2b": 1e-8, "curvature_3b": 1e-8, "energy_weight": 0.5}
CONFIGS = {"uf3_2b": ("UF3 2-body", {"degree": 2}), "uf3_23": ("UF3 2+3-body", {"degree": 3})}


def _train(name: str, over: dict):
    def train(ctx: Context) -> dict:
        from common import HERE, run_logged, venv_python

        out = ctx.model_dir(name)
        settings = {**BASE, **over, "species": ctx.species}
        (out / "settings.json").write_text(json.dumps(settings))
        wall = run_logged([venv_python("uf3"), HERE / "fit_uf3.py", ctx.files / "train.xyz", out, out / "settings.json"],
                          out / "fit.log")
        times = json.loads((out / "fit_times.json").read_text())
        return {"potential": str(out / "potential.uf3"), "degree": settings["degree"],
                "one_body_eV": json.loads((out / "one_body_eV.json").read_text()), "train_wall_s": round(wall, 1),
                "training": f"UF3 featurize {times['features_s']:.0f} s + least squares {times['fit_s']:.0f} s, "
                            f"{times['coefficients']} coefficients"}
    return train


def _potential(ctx: Context, rec: dict) -> dict:
    return {"pair_style": f"uf3 {rec['degree']}", "pair_coeff": [f"* * {rec['potential']} {' '.join(ctx.species)}"],
            "type_names": ctx.species}




def models(ctx: Context) -> list[Model]:
    return [Model(name=name, label=label, family="UF3", train=_train(name, over), unavailable=venv_missing("uf3"),
                  spec=lambda c, r: {"kind": "potential", "potential": _potential(c, r),
                                     "atom_energy_eV": r["one_body_eV"]},
                  pair_lines=lambda c, r: potential_lines(c, _potential(c, r)))
            for name, (label, over) in CONFIGS.items()]
