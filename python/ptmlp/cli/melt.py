"""``ptmlp melt config.yaml``: melting temperature(s) by solid-liquid coexistence.

The YAML keys are those of :class:`ptmlp.melting.config.MeltConfig` (``ptmlp melt --example`` prints
every key; unknown keys are refused); examples live in ``inputs/melt/``. ``ptmlp melt --demo`` runs
the shipped demo model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import add_config_argument, example_requested


def example() -> str:
    from ..config import example_yaml
    from ..melting.config import MeltConfig

    return example_yaml(MeltConfig, "ptmlp melt config.yaml")


def add_parser(sub) -> None:
    p = sub.add_parser("melt", help="melting temperature by solid-liquid coexistence (bracket or NPH), "
                                    "melting curve with a Simon-Glatzel fit (`ptmlp melt --example` prints every key)")
    add_config_argument(p, example, "YAML config (examples: inputs/melt/*.yaml)")
    p.add_argument("--demo", action="store_true",
                   help="run the demo job (inputs/melt/fe_demo.yaml): bcc Fe, shipped demo model, small cell, "
                        "short NPH run at 30 GPa")
    p.add_argument("--workdir", help="work folder (overrides the config's workdir)")
    p.add_argument("--pressure-index", type=int, action="append", dest="pressure_index",
                   help="run only this entry of pressures_GPa (0-based; repeatable), e.g. one SLURM array "
                        "task each: --pressure-index $SLURM_ARRAY_TASK_ID; rerun without it to collect")
    p.add_argument("--print-demo-config", action="store_true", help="print the demo job's YAML and exit")
    p.set_defaults(run=run)


def run(args) -> int:
    import yaml

    from ..errors import InputError
    from ..melting import from_yaml, run_melt
    from ..melting.demo import DEMO_WORKDIR, demo_config, demo_mapping
    from ..uncertainty import format_with_error

    if example_requested(args):
        return 0
    if args.print_demo_config:
        print(yaml.safe_dump(demo_mapping(), sort_keys=False), end="")
        return 0
    if args.demo == (args.config is not None):
        raise InputError("give a config file or --demo (not both); ptmlp melt --example prints a complete config")
    if args.demo:
        cfg = demo_config(args.workdir or DEMO_WORKDIR)
    else:
        cfg = from_yaml(args.config)
        if args.workdir:
            cfg.workdir = str(Path(args.workdir).resolve())  # relative to where the command runs
    summary = run_melt(cfg, pressure_indices=args.pressure_index, log=_log)
    print_runs(summary["run_verdicts"])
    print()
    print(f"{'P (GPa)':>20s} {'T_m (K)':>18s}  details")
    for r in summary["pressures"]:
        if "T_melt_K" not in r:
            continue
        extra = (f"bracket [{r['bracket_K'][0]:g}, {r['bracket_K'][1]:g}] K" if r["method"] == "bracket"
                 else f"{r['n_valid_runs']} accepted NPH run(s)")
        sys_err = r.get("T_melt_sys_err_K")
        split = f"stat {r['T_melt_stat_err_K']:.1f}, sys " + (f"{sys_err:.1f} K" if sys_err is not None else "not estimated")
        print(f"{format_with_error(r['pressure_GPa'], r['pressure_err_GPa']):>20s} {r['T_melt_K']:9.1f} +- "
              f"{r['T_melt_err_K']:5.1f}  {extra}; {r['n_atoms']} atoms, {r['run_length_ps']:g} ps runs ({split})")
        if r.get("reduced_lj"):
            lj = r["reduced_lj"]
            print(f"{'':20s} reduced: P* = {lj['pressure_lj']:.4g} +- {lj['pressure_err_lj']:.2g}, "
                  f"T* = {lj['T_melt_lj']:.4f} +- {lj['T_melt_err_lj']:.4f}")
        if r.get("note"):
            print(f"{'':20s} note: {r['note']}")
    sg = summary["melting_curve"]["simon_glatzel"]
    if sg:
        print(f"Simon-Glatzel: T_m = {sg['T_ref_K']:.1f} K * (1 + (P - {sg['P_ref_GPa']:g} GPa)/{sg['a_GPa']:.3g} GPa)"
              f"^(1/{sg['c']:.3g})")
    print(f"summary: {summary['summary_file']}")
    print(f"time series: {summary['files']['timeseries_h5']}")
    if summary["files"]["plots"]:
        print(f"plots: {', '.join(summary['files']['plots'])}")
    print(f"runs: {summary['runs_done']} done, {summary['runs_reused']} reused; wall {summary['wall_time_s']:.0f} s")
    errors = summary["errors"]
    if errors and len(errors) == len(summary["pressures"]) == 1:
        raise InputError(errors[0])
    for e in errors:
        print(f"ptmlp melt: error: {e}", file=sys.stderr)
    return 2 if errors else 0


def print_runs(rows: list[dict]) -> None:
    """The final table of coexistence runs: accepted, extended, rejected."""
    if not rows:
        return
    print()
    print(f"{'P (GPa)':>8s} {'seed':>5s} {'T (K)':>9s}  {'verdict':20s} runs / why")
    for row in rows:
        t = row.get("start_T_K", row.get("T_K"))
        label = "start " if "start_T_K" in row else ""
        runs = ", ".join(r.rsplit("/", 1)[-1] for r in row["runs"])
        print(f"{row['pressure_target_GPa']:8g} {row['seed']:5d} {label}{t:g}".ljust(31)
              + f"  {row['verdict'] or '':20s} {runs}" + (f": {row['why']}" if row.get("why") else ""))


def _log(message: str) -> None:
    """Progress line (one write per line: runs report from several threads)."""
    sys.stdout.write(message + "\n")
    sys.stdout.flush()
