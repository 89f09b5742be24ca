"""ptmlp vs DeePMD-kit se_e2_a vs eam/fs on Fe, side by side in the same lmp (issue 10).

Run with the bench venv's Python (bench/vs_deepmd/setup_venv.sh makes it; run.sh does both):

    bench/vs_deepmd/.venv/bin/python bench/vs_deepmd/bench.py [--budget-s 600] [--work-dir DIR] ...

Steps (each leaves <work>/results/<step>.json and is skipped when that exists and is newer than
the results it depends on; --redo STEP forces one): data, train_deepmd, train_ptmlp, accuracy,
speed_n<atoms>_np<ranks>, memory_<style>_n<atoms>; the tables go to <work>/results/report.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import HERE, Steps, load_average, use_bench_plugin, versions, write_json  # noqa: E402

STYLES = ("eam_fs", "deepmd_frozen", "deepmd_compressed", "ptmlp")


def git_state() -> dict:
    """Commit and local changes of the ptmlp tree being measured (the bench builds the working tree)."""
    def git(*a):
        out = subprocess.run(["git", "-C", str(HERE.parents[1]), *a], capture_output=True, text=True)
        return out.stdout.rstrip("\n") if out.returncode == 0 else ""
    changed = [line[3:] for line in git("status", "--porcelain", "--", "cpp", "pair_style", "CMakeLists.txt",
                                        "python/ptmlp").splitlines()]
    return {"commit": git("rev-parse", "HEAD"), "changed_files": changed}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work-dir", default=str(HERE / "work"), help="data, models, runs and results")
    ap.add_argument("--budget-s", type=float, default=600.0, help="training wall-clock budget of each code (s)")
    ap.add_argument("--ptmlp-config", default=str(HERE / "ptmlp_config.yaml"),
                    help="ptmlp train YAML (model + training keys); see ptmlp_config.yaml")
    ap.add_argument("--dp-rcut-A", type=float, default=None, help="DeePMD rcut (default: the ptmlp r_cut)")
    ap.add_argument("--train-threads", type=int, default=1, help="threads of each training (both codes)")
    ap.add_argument("--frames-per-trajectory", type=int, default=20, help="x 20 trajectories")
    ap.add_argument("--sample-every-steps", type=int, default=100, help="MD steps (1 fs) between frames")
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 16000], choices=[2000, 16000])
    ap.add_argument("--nprocs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--steps", type=int, nargs=2, default=[40, 6], metavar=("N2000", "N16000"),
                    help="timed MD steps per repeat at 2000 and 16000 atoms")
    ap.add_argument("--warm-steps", type=int, nargs=2, default=[5, 2], metavar=("N2000", "N16000"))
    ap.add_argument("--repeats", type=int, default=2, help="rounds over all styles in each speed run (fastest is reported)")
    ap.add_argument("--memory-steps", type=int, default=2)
    ap.add_argument("--redo", nargs="*", default=[], help="steps to run again although finished")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    use_bench_plugin()
    work = Path(args.work_dir).resolve()
    steps = Steps(work, tuple(args.redo))
    res = work / "results"
    write_json(res / "environment.json", {"versions": versions(), "load_average": load_average(),
                                          "cpus": os.cpu_count(), "git": git_state(), "args": vars(args)})
    ptmlp_cfg = yaml.safe_load(Path(args.ptmlp_config).read_text()) or {}
    rcut = args.dp_rcut_A or float((ptmlp_cfg.get("model") or {}).get("r_cut", 5.0))

    def stale(name: str, *upstream: str) -> bool:
        if not steps.done(name):
            return True
        mtime = steps.path(name).stat().st_mtime
        return any(steps.path(u).exists() and steps.path(u).stat().st_mtime > mtime for u in upstream)

    if stale("data"):
        from make_data import make_data

        with steps.run("data") as rec:
            rec.update(make_data(work, args.frames_per_trajectory, args.sample_every_steps))
    if stale("train_deepmd", "data"):
        from train_deepmd import train_deepmd

        with steps.run("train_deepmd") as rec:
            rec.update(train_deepmd(work, args.budget_s, rcut, args.train_threads))
    if stale("train_ptmlp", "data"):
        from train_ptmlp import train_ptmlp

        with steps.run("train_ptmlp") as rec:
            rec.update(train_ptmlp(work, Path(args.ptmlp_config).resolve(), args.budget_s, args.train_threads))
    dp, pt = steps.result("train_deepmd"), steps.result("train_ptmlp")
    dp_models = {"deepmd_frozen": dp["frozen_pb"], "deepmd_compressed": dp["compressed_pb"]}
    if stale("accuracy", "train_deepmd", "train_ptmlp"):
        from accuracy import accuracy

        with steps.run("accuracy") as rec:
            rec.update(accuracy(work, dp_models, pt["model_pt"], args.train_threads))

    from ptmlp.potential import potentials_dir

    models = {"eam_fs": str(potentials_dir() / "Fe_mm.eam.fs"), **dp_models, "ptmlp": pt["model_pt"]}
    if not args.skip_speed:
        from speed import speed_run

        for atoms in args.sizes:
            k = 0 if atoms == 2000 else 1
            for nprocs in args.nprocs:
                name = f"speed_n{atoms}_np{nprocs}"
                if stale(name, "train_deepmd", "train_ptmlp"):
                    with steps.run(name) as rec:
                        rec.update(speed_run(work, STYLES, models, atoms, nprocs, args.warm_steps[k], args.steps[k],
                                             args.repeats, 1, timeout_s=3600))
    if not args.skip_memory:
        from speed import memory_run

        for style in STYLES:
            for atoms in args.sizes:
                name = f"memory_{style}_n{atoms}"
                if stale(name, "train_deepmd", "train_ptmlp"):
                    with steps.run(name) as rec:
                        rec.update(memory_run(work, style, models, atoms, args.memory_steps, 1, timeout_s=1800))

    from report import report

    text = report(res, args.sizes, args.nprocs, STYLES)
    (res / "report.md").write_text(text + "\n")
    print(text)
    print(f"[bench] tables in {res / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
