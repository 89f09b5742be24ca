"""Result files: the names of ``summary.json`` (written by :func:`ptmlp.jsonfile.write_json`) and
the HDF5 time series of every coexistence run (``melt_timeseries.h5``)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..atomic import atomic_path
from ..jsonfile import read_json
from ..units import BAR_TO_GPA
from .runner import RESULT_FILE
from .stages import joined_series

SUMMARY_FILE = "summary.json"
TIMESERIES_FILE = "melt_timeseries.h5"


def coexistence_runs(pressure_result: dict, root: Path) -> Iterator[dict]:
    """Every coexistence run behind a per-pressure result (an NPH run joined with its extensions): its
    series, calibration, profile, verdict and whether it was accepted."""
    if pressure_result.get("method") == "bracket":
        for o in pressure_result.get("temperatures", []):
            for r in o.get("runs", []):
                yield _load(root, [r["run"]], o.get("calibration"), T_K=o["T_K"], seed=r["seed"],
                            verdict=r["verdict"], accepted=True, ensemble="npt",
                            z_period_A=r.get("z_period_A"))
    else:
        for r in pressure_result.get("runs", []):
            if "run" in r:
                yield _load(root, r.get("runs", [r["run"]]), r.get("calibration"), T_K=r["start_T_K"], seed=r["seed"],
                            verdict=r.get("verdict", "accepted" if r["valid"] else "rejected"), why=r.get("why", ""),
                            accepted=bool(r["valid"]), ensemble="nph", z_period_A=r.get("z_period_A"),
                            extension_starts_ps=[])


def _load(root: Path, names: list[str], calibration: dict | None, **meta) -> dict:
    parts = [read_json(root / name / RESULT_FILE) for name in names]
    prof: dict = {}
    for data in parts:
        for k, v in data["profile"].items():
            prof.setdefault(k, []).extend(v)
    s = {k: np.asarray(v, float) for k, v in joined_series(parts).items()}
    t = s["time_ps"] - s["time_ps"][0]
    if calibration:
        phi = (s["fsolid"] - calibration["f_liquid_ref"]) / (calibration["f_solid_ref"] - calibration["f_liquid_ref"])
    else:
        phi = np.full_like(t, np.nan)
    starts = [float(np.asarray(p["series"]["time_ps"], float)[0] - s["time_ps"][0]) for p in parts[1:]]
    meta["extension_starts_ps"] = starts
    return {"name": names[0], "names": names, "t_ps": t, "series": s, "solid_fraction": phi,
            "P_GPa": s["P_bar"] * BAR_TO_GPA, "profile": {k: np.asarray(v, float) for k, v in prof.items()},
            "calibration": calibration, **meta}


def write_timeseries(path: Path, results: list[dict], root: Path) -> None:
    """One HDF5 group per pressure and run: time_ps, T_K, P_GPa, solid_fraction, raw label fraction,
    box lengths, energies, and the z profiles (density_per_A3, solid_label at each profile frame)."""
    import h5py

    with atomic_path(path) as tmp, h5py.File(tmp, "w") as h5:
        h5.attrs["description"] = "ptmlp melt: coexistence time series (units in dataset names)"
        for res in results:
            if "T_melt_K" not in res:
                continue
            g = h5.create_group(f"P_{res['pressure_target_GPa']:g}GPa")
            for key in ("pressure_GPa", "pressure_err_GPa", "T_melt_K", "T_melt_err_K"):
                g.attrs[key] = res[key]
            for run in coexistence_runs(res, root):
                r = g.create_group(run["name"].split("/", 1)[1].replace("/", "_"))
                r.attrs.update({k: run[k] for k in ("T_K", "seed", "verdict", "ensemble", "accepted")})
                r.attrs["runs"] = ", ".join(run["names"])
                if run["calibration"]:
                    r.attrs.update({f"calibration_{k}": v for k, v in run["calibration"].items()})
                s = run["series"]
                r["time_ps"] = run["t_ps"]
                r["T_K"] = s["T_K"]
                r["P_GPa"] = run["P_GPa"]
                r["solid_fraction"] = run["solid_fraction"]
                r["labelled_solid_fraction_raw"] = s["fsolid"]
                for key in ("Pxx_bar", "Pyy_bar", "Pzz_bar"):
                    r[key.replace("_bar", "_GPa")] = s[key] * BAR_TO_GPA
                for key in ("Lx_A", "Ly_A", "Lz_A", "V_A3", "pe_eV", "enthalpy_eV"):
                    r[key] = s[key]
                prof = r.create_group("profile")
                for key, value in run["profile"].items():
                    prof[key] = value
