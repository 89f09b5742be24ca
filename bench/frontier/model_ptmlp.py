"""ptmlp model v1 configurations, trained with ``ptmlp train`` on the bench split.

``default`` is ModelConfig's default (r_cut 5, n_radial 8, n_channels 12, l_max 3, [64, 64]) with
TrainConfig's default schedule (AdamW, lr 5e-3 -> 5e-5 exponential, E:F:virial 1:1:0.1) — what
a new user gets. With E:F 1:1 the force term (errors ~0.2 eV/A, squared 0.04) outweighs the energy
term (~0.01 eV/atom, squared 1e-4) by ~400x, so the others weight energy (and virial) up:
E:F:V 100:1:1 fixed, or a ramp from 1:1 to 100:1 as the learning rate decays; and sizes (small
for speed, large with a 5.5 A cutoff for accuracy). Every configuration has
the same epoch budget with early stopping on the validation E+F RMSE (patience 30 epochs,
best-validation model exported); ``--ptmlp-epochs`` and ``--ptmlp-max-time-s`` set the budget.
"""

from __future__ import annotations

import yaml

from registry import Context, Model, masses

#: name: (label, model overrides, training overrides)
E100 = {"loss_weights": {"energy": 100.0, "force": 1.0, "virial": 1.0}}
CONFIGS = {
    "ptmlp_default": ("ptmlp v1 default", {}, {}),
    "ptmlp_e100": ("ptmlp v1 default, E:F:V 100:1:1", {}, E100),
    "ptmlp_ramp": ("ptmlp v1 default, ramp E:F 1:1 -> 100:1", {},
                   {"weighting": "ramp", **E100, "ramp_start": {"energy": 1.0, "force": 1.0, "virial": 0.1}}),
    "ptmlp_small": ("ptmlp v1 small (6 ch, l 2, [32]), E:F:V 100:1:1",
                    {"n_radial": 6, "n_channels": 6, "l_max": 2, "hidden_widths": [32]}, E100),
    "ptmlp_large": ("ptmlp v1 large (16 ch, l 4, [128,128], 5.5 A), E:F:V 100:1:1",
                    {"r_cut": 5.5, "n_radial": 10, "n_channels": 16, "l_max": 4, "hidden_widths": [128, 128]}, E100),
}


def _train(name: str, model_over: dict, train_over: dict):
    def train(ctx: Context) -> dict:
        from ptmlp.lammps_env import lammps_environment, venv_bin

        from common import read_json, run_logged

        out = ctx.model_dir(name)
        training = {"epochs": int(ctx.args.ptmlp_epochs), "early_stopping_patience_epochs": 30, "seed": 0,
                    **train_over}
        if ctx.args.ptmlp_max_time_s:
            training["max_time_s"] = float(ctx.args.ptmlp_max_time_s)
        cfg = {"dataset": str(ctx.files / "ptmlp.h5"), "split": str(ctx.files / "ptmlp_split.json"),
               "output_dir": str(out / "run"), "model": {"type_names": ctx.species, **model_over},
               "training": training}
        (out / "train.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        env = {**lammps_environment(), "OMP_NUM_THREADS": str(ctx.args.train_threads)}
        wall = run_logged([venv_bin("ptmlp"), "train", str(out / "train.yaml")], out / "train.log", env=env)
        member = read_json(out / "run" / "train_summary.json")["members"][0]
        return {"model_pt": member["model"], "config": cfg, "train_wall_s": round(wall, 1),
                "epochs_run": member.get("epochs_run"), "stopped": member.get("stopped"),
                "best_validation": member.get("best_validation"),
                "training": f"{member.get('epochs_run')} epochs ({member.get('stopped')}), "
                            f"{ctx.args.train_threads} thread(s)"}
    return train


def models(ctx: Context) -> list[Model]:
    return [Model(name=name, label=label, family="ptmlp v1", train=_train(name, mo, to), threaded=True,
                  spec=lambda c, r: {"kind": "potential", "potential": {"model": r["model_pt"]}},
                  pair_lines=lambda c, r: [f"pair_style ptmlp {r['model_pt']}",
                                           "pair_coeff * * " + " ".join(c.species)] + masses(c))
            for name, (label, mo, to) in CONFIGS.items()]
