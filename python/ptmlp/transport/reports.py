"""Run an analysis from validated options and write its outputs: ``summary.json`` (unit in
every key, one standard error next to every value), an HDF5 file with the correlation
functions / profiles / MSDs, and PNG plots. The CLI (``ptmlp transport``) is a thin layer
over these functions."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import plots
from .results import Measurement, TransportWarning, mean_of_runs, write_arrays_h5, write_summary


def _inputs(opts: dict) -> list[str]:
    if not opts.get("inputs"):
        raise InputError("no inputs given (files or run folders)")
    return list(opts["inputs"])


def _out(opts: dict, default: str) -> Path:
    out = Path(opts.get("out") or default)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _gk_arrays(gk, cep) -> dict:
    return {"lag_time_ps": gk.lag_time_s * 1e12, "acf_SI": gk.acf, "acf_std_err_SI": gk.acf_std_err,
            "running_integral_SI": gk.integral, "running_integral_std_err_SI": gk.integral_std_err,
            "cepstral_freq_THz": cep.freq_Hz / 1e12, "cepstral_psd_raw_SI": cep.psd_raw,
            "cepstral_psd_filtered_SI": cep.psd_filtered, "cepstral_aic": cep.aic}


def report_kappa(opts: dict) -> dict:
    method = opts.get("method", "green-kubo")
    if method == "green-kubo":
        from .kappa_gk import kappa_green_kubo

        out = _out(opts, "transport_kappa")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            res = kappa_green_kubo(_inputs(opts), max_correlation_time_ps=opts.get("max_correlation_time_ps"),
                                   cutoff=opts.get("cutoff", "noise"), f_cut_THz=opts.get("f_cut_THz"),
                                   volume_A3=opts.get("volume_A3"), timestep_ps=opts.get("timestep_ps"),
                                   temperature_K=opts.get("temperature_K"), decorrelate=opts.get("decorrelate", True))
        summary = res.summary()
        summary["inputs"] = _inputs(opts)
        write_arrays_h5(out / "kappa_green_kubo.h5", {"green_kubo": _gk_arrays(res.gk, res.kappa_cepstral)},
                        attrs={"acf_unit": "W/m/K per s (V/(k_B T^2) <J J>)", "integral_unit": "W/m/K"})
        plots.plot_green_kubo(out / "kappa_green_kubo.png", res.gk, res.kappa_cepstral, label="kappa", unit="W/m/K")
        write_summary(out / "summary.json", summary)
        return summary
    if method == "nemd":
        from .extrapolation import extrapolate_inverse_length
        from .kappa_nemd import kappa_nemd

        out = _out(opts, "transport_kappa_nemd")
        runs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            for k, folder in enumerate(_inputs(opts)):
                r = kappa_nemd(folder, exclude_bins=opts.get("exclude_bins", 1), n_batches=opts.get("n_batches", 10),
                               steady_steps=opts.get("steady_steps"))
                plots.plot_profile(out / f"profile_{k:03d}.png", r.profile, ylabel="temperature (K)",
                                   title=f"{Path(folder).name}: kappa = {r.kappa:.3g} W/m/K")
                runs.append((folder, r))
        per_run = []
        for folder, r in runs:
            s = r.summary()
            s["folder"] = str(folder)
            per_run.append(s)
        write_arrays_h5(out / "kappa_nemd.h5", {f"run_{k:03d}": {"z_A": r.profile.z_m * 1e10,
                                                                  "temperature_K": r.profile.mean_profile,
                                                                  "temperature_std_err_K": r.profile.profile_err}
                                                 for k, (_, r) in enumerate(runs)})
        summary = {"quantity": "thermal conductivity", "method": "nemd", "runs": per_run}
        lengths = [r.length_A for _, r in runs]
        if len(set(np.round(lengths, 6))) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TransportWarning)
                ext = extrapolate_inverse_length(lengths, [r.kappa for _, r in runs])
            summary.update(ext.summary())
            plots.plot_line_fit(out / "kappa_size_extrapolation.png", ext.fit, xlabel="1/L (1/nm)",
                                ylabel="1/kappa (m K/W)", title=f"kappa_inf = {ext.kappa_inf:.3g} W/m/K", xscale=10.0)
        else:
            combined = mean_of_runs([r.kappa.value for _, r in runs]) if len(runs) > 1 else runs[0][1].kappa
            summary.update(combined.as_dict("kappa_W_per_mK"))
            summary["warnings"] = sum((s["warnings"] for s in per_run), [])
        summary["uncertainty"] = "one standard error (68%)"
        write_summary(out / "summary.json", summary)
        return summary
    raise InputError(f"unknown kappa method {method!r}: green-kubo or nemd")


def report_viscosity(opts: dict) -> dict:
    method = opts.get("method", "green-kubo")
    if method == "green-kubo":
        from .viscosity_gk import viscosity_green_kubo

        out = _out(opts, "transport_viscosity")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            res = viscosity_green_kubo(_inputs(opts), max_correlation_time_ps=opts.get("max_correlation_time_ps"),
                                       cutoff=opts.get("cutoff", "noise"), f_cut_THz=opts.get("f_cut_THz"),
                                       volume_A3=opts.get("volume_A3"), timestep_ps=opts.get("timestep_ps"),
                                       temperature_K=opts.get("temperature_K"), helfand_fit_ps=opts.get("helfand_fit_ps"))
        summary = res.summary()
        summary["inputs"] = _inputs(opts)
        arrays = _gk_arrays(res.gk, res.viscosity_cepstral)
        arrays.update({"helfand_time_ps": res.einstein_helfand.time_s * 1e12,
                       "helfand_moment_Pa_s2": res.einstein_helfand.msd})
        write_arrays_h5(out / "viscosity_green_kubo.h5", {"green_kubo": arrays},
                        attrs={"integral_unit": "Pa s"})
        plots.plot_green_kubo(out / "viscosity_green_kubo.png", res.gk, res.viscosity_cepstral, label="viscosity",
                              unit="mPa s", scale=1e3,
                              extra=plots.einstein_helfand_panel(res.einstein_helfand, 1e3, "mPa s"))
        write_summary(out / "summary.json", summary)
        return summary
    if method == "muller-plathe":
        from .viscosity_nemd import viscosity_zero_shear

        out = _out(opts, "transport_viscosity_mp")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            runs, zs = viscosity_zero_shear(_inputs(opts), exclude_bins=opts.get("exclude_bins", 1),
                                            n_batches=opts.get("n_batches", 10),
                                            variable=opts.get("shear_extrapolation", "sqrt"))
        for k, r in enumerate(runs):
            plots.plot_profile(out / f"velocity_profile_{k:03d}.png", r.profile, ylabel="v_x (A/ps)", yscale=1e-2,
                               title=f"{Path(r.folder).name}: eta = {r.viscosity.value * 1e3:.4g} mPa s")
        if len(runs) > 1:
            sqrt_axis = zs.variable == "sqrt"
            plots.plot_line_fit(out / "zero_shear_extrapolation.png", zs.fit,
                                xlabel="sqrt(shear rate) (1/sqrt(ns))" if sqrt_axis else "shear rate (1/ns)",
                                ylabel="viscosity (mPa s)", title=f"eta_0 = {zs.viscosity0.value * 1e3:.4g} mPa s",
                                xscale=(1e-9 ** 0.5 if sqrt_axis else 1e-9), yscale=1e3)
        summary = zs.summary()
        summary["runs"] = [r.summary() for r in runs]
        summary["warnings"] = list(zs.notes.messages) + sum((r.notes.messages for r in runs), [])
        write_summary(out / "summary.json", summary)
        return summary
    raise InputError(f"unknown viscosity method {method!r}: green-kubo or muller-plathe")


def _viscosity_for_yeh_hummer(opts: dict):
    if opts.get("viscosity_summary"):
        p = Path(opts["viscosity_summary"])
        if not p.is_file():
            raise InputError(f"viscosity summary {p} not found")
        s = json.loads(p.read_text())
        if "viscosity_Pa_s" not in s:
            raise InputError(f"{p} has no viscosity_Pa_s (a 'ptmlp transport viscosity' summary.json?)")
        return Measurement(s["viscosity_Pa_s"], s.get("viscosity_Pa_s_std_err") or 0.0)
    if opts.get("viscosity_Pa_s") is not None:
        if not opts["viscosity_Pa_s"] > 0:
            raise InputError(f"viscosity must be positive, got {opts['viscosity_Pa_s']} Pa s")
        return Measurement(opts["viscosity_Pa_s"], opts.get("viscosity_std_err_Pa_s") or 0.0)
    return None


def report_diffusion(opts: dict) -> dict:
    from .diffusion import self_diffusion
    from .readers import run_info_near
    from .trajectory import load_trajectory

    out = _out(opts, "transport_diffusion")
    eta = _viscosity_for_yeh_hummer(opts)
    per_run, results = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        for k, src in enumerate(_inputs(opts)):
            with load_trajectory(src, timestep_ps=opts.get("timestep_ps")) as traj:
                temp = opts.get("temperature_K")
                if temp is None and eta is not None:
                    info = run_info_near(traj.path) or {}
                    temp = info.get("T_target_K")
                res = self_diffusion(traj, temperature_K=temp, viscosity=eta,
                                     max_fit_fraction=opts.get("max_fit_fraction", 0.3),
                                     beta_tolerance=opts.get("beta_tolerance", 0.1),
                                     fit_window_ps=opts.get("fit_window_ps"))
            plots.plot_msd(out / f"msd_{k:03d}.png", res)
            s = res.summary()
            s["input"] = str(src)
            per_run.append(s)
            results.append(res)
    write_arrays_h5(out / "msd.h5", {f"run_{k:03d}_{name}": {"lag_time_ps": fit.time_s * 1e12, "msd_A2": fit.msd_m2 * 1e20,
                                                              "local_exponent": fit.exponent}
                                     for k, r in enumerate(results) for name, fit in r.species.items()})
    summary = {"quantity": "self-diffusion", "method": "msd", "runs": per_run}
    for name in results[0].species:
        if len(results) > 1:
            m = mean_of_runs([r.species[name].D.value for r in results])
            summary.update(m.as_dict(f"D_{name}_m2_per_s"))
            if all(name in r.corrected for r in results):
                summary.update(mean_of_runs([r.corrected[name].value for r in results]).as_dict(
                    f"D_{name}_yeh_hummer_m2_per_s"))
        else:
            summary.update({k: v for k, v in per_run[0].items() if k.startswith(f"D_{name}_")})
    summary["warnings"] = sum((s["warnings"] for s in per_run), [])
    summary["uncertainty"] = "one standard error (68%)"
    write_summary(out / "summary.json", summary)
    return summary


def report_conductivity(opts: dict) -> dict:
    from .conductivity import charges_by_type, conductivity_green_kubo, load_charge_current, nernst_einstein
    from .diffusion import self_diffusion
    from .trajectory import load_trajectory

    if not opts.get("charges"):
        raise InputError("give the formal charges, e.g. --charges Mg=2,Si=4,O=-2")
    out = _out(opts, "transport_conductivity")
    charges = opts["charges"]
    folders = _inputs(opts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        runs = [load_charge_current(f, charges, volume_A3=opts.get("volume_A3"), timestep_ps=opts.get("timestep_ps"),
                                    temperature_K=opts.get("temperature_K")) for f in folders]
        ne = None
        if opts.get("nernst_einstein", True):
            values = []
            for f, run in zip(folders, runs):
                with load_trajectory(f, timestep_ps=opts.get("timestep_ps")) as traj:
                    d = self_diffusion(traj)
                    q = charges_by_type(charges, traj.type_names)
                    qn = {traj.type_names[t]: q[t] for t in q}
                    values.append(nernst_einstein({n: fit.D for n, fit in d.species.items()}, d.counts, qn,
                                                  traj.volume_A3, run.temperature_K))
            ne = values[0] if len(values) == 1 else mean_of_runs([v.value for v in values])
        res = conductivity_green_kubo(runs, charges, max_correlation_time_ps=opts.get("max_correlation_time_ps"),
                                      cutoff=opts.get("cutoff", "noise"), f_cut_THz=opts.get("f_cut_THz"),
                                      nernst_einstein_S_per_m=ne)
    summary = res.summary()
    summary["inputs"] = folders
    summary["charges_e"] = charges
    write_arrays_h5(out / "conductivity_green_kubo.h5", {"green_kubo": _gk_arrays(res.gk, res.sigma_cepstral)},
                    attrs={"integral_unit": "S/m"})
    plots.plot_green_kubo(out / "conductivity_green_kubo.png", res.gk, res.sigma_cepstral, label="sigma", unit="S/m")
    write_summary(out / "summary.json", summary)
    return summary


def build_potential(spec: dict):
    """A :class:`~ptmlp.transport.drivers.Potential` from the ``potential`` config mapping."""
    from .drivers import Potential, eam_potential, lj_potential, ptmlp_potential

    if not isinstance(spec, dict) or not spec:
        raise InputError("give a potential: {lj: {...}}, {eam: {...}}, {ptmlp: {...}} or {lines: [...], species: [...]}")
    kinds = {"lj": ({"epsilon_eV", "sigma_A"}, {"cutoff_sigma", "shift", "type_name"}),
             "eam": ({"file", "elements"}, {"style"}), "ptmlp": ({"model", "species"}, set())}
    if "lines" in spec:
        unknown = set(spec) - {"lines", "species", "files"}
        if unknown or "species" not in spec:
            raise InputError(f"potential with 'lines' needs 'species' (and optional 'files'); unknown keys {sorted(unknown)}")
        return Potential(lines=list(spec["lines"]), type_names=list(spec["species"]), files=list(spec.get("files", [])))
    if len(spec) != 1 or next(iter(spec)) not in kinds:
        raise InputError(f"potential must have one of the keys lj, eam, ptmlp, lines; got {sorted(spec)}")
    kind, args = next(iter(spec.items()))
    need, optional = kinds[kind]
    args = dict(args or {})
    if not need <= set(args) or set(args) - need - optional:
        raise InputError(f"potential '{kind}' needs {sorted(need)} (optional {sorted(optional)}); got {sorted(args)}")
    if kind == "lj":
        return lj_potential(float(args["epsilon_eV"]), float(args["sigma_A"]),
                            cutoff_sigma=float(args.get("cutoff_sigma", 2.5)), shift=bool(args.get("shift", True)),
                            type_name=str(args.get("type_name", "Ar")))
    if kind == "eam":
        return eam_potential(args["file"], list(args["elements"]), style=args.get("style", "eam/fs"))
    return ptmlp_potential(args["model"], list(args["species"]))


def run_templates(opts: dict) -> dict:
    """Run ``n_runs`` independent copies of a template; returns a summary of the run folders."""
    from ase.io import read

    from .drivers import run_independent

    for key in ("template", "potential", "structure"):
        if not opts.get(key):
            raise InputError(f"'transport run' needs '{key}' (in --config or as a flag)")
    path = Path(opts["structure"])
    if not path.is_file():
        raise InputError(f"structure file {path} not found")
    try:
        atoms = read(path, format="lammps-data", atom_style="atomic") if path.suffix == ".data" else read(path)
    except Exception as exc:  # ASE raises many types for unreadable files
        raise InputError(f"cannot read structure {path}: {exc}") from None
    if int(opts.get("nprocs", 1)) < 1:
        raise InputError(f"nprocs must be >= 1, got {opts.get('nprocs')}")
    atoms = atoms.repeat(opts.get("repeat") or (1, 1, 1))
    pot = build_potential(opts["potential"])
    folders = run_independent(opts["template"], opts.get("workdir") or "transport_runs", pot, atoms,
                              n_runs=int(opts.get("n_runs", 1)), first_seed=int(opts.get("first_seed", 1)),
                              variables=opts.get("variables") or {}, nprocs=int(opts.get("nprocs", 1)))
    return {"method": f"{opts['template']} x {len(folders)}", "runs": [str(f) for f in folders], "warnings": []}


REPORTS = {"kappa": report_kappa, "viscosity": report_viscosity, "diffusion": report_diffusion,
           "conductivity": report_conductivity, "run": run_templates}


def headline(summary: dict) -> list[str]:
    """Lines 'key = value +- err' for the values in a summary (for the CLI)."""
    lines = []
    for key, value in summary.items():
        if "_std_err" in key or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if not any(u in key for u in ("_W_per_mK", "_Pa_s", "_m2_per_s", "_S_per_m", "temperature_K", "ratio")):
            continue
        err = summary.get(f"{key}_std_err")
        if err is not None and isinstance(err, float) and math.isfinite(err):
            lines.append(f"{key:44s} {value:.5g} +- {err:.2g}")
        else:
            lines.append(f"{key:44s} {value:.5g}")
    return lines
