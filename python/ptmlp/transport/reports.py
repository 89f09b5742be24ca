"""Run an analysis from its validated config (:mod:`.config`) and write its outputs:
``summary.json`` (unit in every key, one standard error next to every value), an HDF5 file with
the correlation functions / profiles / MSDs, and PNG plots. The CLI (``ptmlp transport``) is a
thin layer over these functions."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..jsonfile import read_json, write_json
from . import plots
from .config import ConductivityConfig, DiffusionConfig, KappaConfig, RunConfig, ViscosityConfig
from .results import Measurement, TransportWarning, mean_of_runs, write_arrays_h5


_DEFAULT_OUT = {("kappa", "nemd"): "transport_kappa_nemd", ("viscosity", "muller-plathe"): "transport_viscosity_mp"}


def out_dir(command: str, opts) -> Path:
    """The output folder: ``out``, or ``transport_<command>[_<method>]`` in the current folder."""
    if opts.out is not None:
        return Path(opts.out)
    return Path(_DEFAULT_OUT.get((command, getattr(opts, "method", None)), f"transport_{command}"))


def _out(opts, command: str) -> Path:
    out = out_dir(command, opts)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _gk_options(opts) -> dict:
    """Keyword arguments of the Green-Kubo analyses shared by kappa and viscosity."""
    return dict(max_correlation_time_ps=opts.max_correlation_time_ps, cutoff=opts.cutoff_ps, f_cut_THz=opts.f_cut_THz,
                volume_A3=opts.volume_A3, timestep_ps=opts.timestep_ps, temperature_K=opts.temperature_K)


def _gk_arrays(gk, cep) -> dict:
    return {"lag_time_ps": gk.lag_time_s * 1e12, "acf_SI": gk.acf, "acf_std_err_SI": gk.acf_std_err,
            "running_integral_SI": gk.integral, "running_integral_std_err_SI": gk.integral_std_err,
            "cepstral_freq_THz": cep.freq_Hz / 1e12, "cepstral_psd_raw_SI": cep.psd_raw,
            "cepstral_psd_filtered_SI": cep.psd_filtered, "cepstral_aic": cep.aic}


def report_kappa(opts: KappaConfig) -> dict:
    if opts.method == "green-kubo":
        from .kappa_gk import kappa_green_kubo

        out = _out(opts, "kappa")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            res = kappa_green_kubo(list(opts.inputs), decorrelate=opts.decorrelate, **_gk_options(opts))
        summary = res.summary()
        summary["inputs"] = list(opts.inputs)
        write_arrays_h5(out / "kappa_green_kubo.h5", {"green_kubo": _gk_arrays(res.gk, res.kappa_cepstral)},
                        attrs={"acf_unit": "W/m/K per s (V/(k_B T^2) <J J>)", "integral_unit": "W/m/K"})
        plots.plot_green_kubo(out / "kappa_green_kubo.png", res.gk, res.kappa_cepstral, label="kappa", unit="W/m/K")
        write_json(out / "summary.json", summary)
        return summary
    if opts.method == "nemd":
        from .extrapolation import extrapolate_inverse_length
        from .kappa_nemd import kappa_nemd

        out = _out(opts, "kappa")
        runs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            for k, folder in enumerate(list(opts.inputs)):
                r = kappa_nemd(folder, exclude_bins=opts.exclude_bins, n_batches=opts.n_batches,
                               steady_steps=opts.steady_steps)
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
        write_json(out / "summary.json", summary)
        return summary
    raise InputError(f"unknown kappa method {opts.method!r}: green-kubo or nemd")


def report_viscosity(opts: ViscosityConfig) -> dict:
    if opts.method == "green-kubo":
        from .viscosity_gk import viscosity_green_kubo

        out = _out(opts, "viscosity")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            res = viscosity_green_kubo(list(opts.inputs), helfand_fit_ps=opts.helfand_fit_ps, **_gk_options(opts))
        summary = res.summary()
        summary["inputs"] = list(opts.inputs)
        arrays = _gk_arrays(res.gk, res.viscosity_cepstral)
        arrays.update({"helfand_time_ps": res.einstein_helfand.time_s * 1e12,
                       "helfand_moment_Pa_s2": res.einstein_helfand.msd})
        write_arrays_h5(out / "viscosity_green_kubo.h5", {"green_kubo": arrays},
                        attrs={"integral_unit": "Pa s"})
        plots.plot_green_kubo(out / "viscosity_green_kubo.png", res.gk, res.viscosity_cepstral, label="viscosity",
                              unit="mPa s", scale=1e3,
                              extra=plots.einstein_helfand_panel(res.einstein_helfand, 1e3, "mPa s"))
        write_json(out / "summary.json", summary)
        return summary
    if opts.method == "muller-plathe":
        from .viscosity_nemd import viscosity_zero_shear

        out = _out(opts, "viscosity")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            runs, zs = viscosity_zero_shear(list(opts.inputs), exclude_bins=opts.exclude_bins,
                                            n_batches=opts.n_batches, variable=opts.shear_extrapolation)
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
        write_json(out / "summary.json", summary)
        return summary
    raise InputError(f"unknown viscosity method {opts.method!r}: green-kubo or muller-plathe")


def _viscosity_for_yeh_hummer(opts: DiffusionConfig):
    if opts.viscosity_summary is not None:
        s = read_json(opts.viscosity_summary)
        if not isinstance(s, dict) or "viscosity_Pa_s" not in s:
            raise InputError(f"{opts.viscosity_summary} has no viscosity_Pa_s (a 'ptmlp transport viscosity' "
                             "summary.json?)")
        return Measurement(s["viscosity_Pa_s"], s.get("viscosity_Pa_s_std_err") or 0.0)
    if opts.viscosity_Pa_s is not None:
        return Measurement(opts.viscosity_Pa_s, opts.viscosity_std_err_Pa_s)
    return None


def report_diffusion(opts: DiffusionConfig) -> dict:
    from .diffusion import self_diffusion
    from .readers import run_info_near
    from .trajectory import load_trajectory

    out = _out(opts, "diffusion")
    eta = _viscosity_for_yeh_hummer(opts)
    per_run, results = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        for k, src in enumerate(list(opts.inputs)):
            with load_trajectory(src, timestep_ps=opts.timestep_ps) as traj:
                temp = opts.temperature_K
                if temp is None and eta is not None:
                    info = run_info_near(traj.path) or {}
                    temp = info.get("T_target_K")
                res = self_diffusion(traj, temperature_K=temp, viscosity=eta, max_fit_fraction=opts.max_fit_fraction,
                                     beta_tolerance=opts.beta_tolerance, fit_window_ps=opts.fit_window_ps)
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
    write_json(out / "summary.json", summary)
    return summary


def report_conductivity(opts: ConductivityConfig) -> dict:
    from .conductivity import charges_by_type, conductivity_green_kubo, load_charge_current, nernst_einstein
    from .diffusion import self_diffusion
    from .trajectory import load_trajectory

    out = _out(opts, "conductivity")
    charges = dict(opts.charges_e)
    folders = list(opts.inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        runs = [load_charge_current(f, charges, volume_A3=opts.volume_A3, timestep_ps=opts.timestep_ps,
                                    temperature_K=opts.temperature_K) for f in folders]
        ne = None
        if opts.nernst_einstein:
            values = []
            for f, run in zip(folders, runs):
                with load_trajectory(f, timestep_ps=opts.timestep_ps) as traj:
                    d = self_diffusion(traj)
                    q = charges_by_type(charges, traj.type_names)
                    qn = {traj.type_names[t]: q[t] for t in q}
                    values.append(nernst_einstein({n: fit.D for n, fit in d.species.items()}, d.counts, qn,
                                                  traj.volume_A3, run.temperature_K))
            ne = values[0] if len(values) == 1 else mean_of_runs([v.value for v in values])
        res = conductivity_green_kubo(runs, charges, max_correlation_time_ps=opts.max_correlation_time_ps,
                                      cutoff=opts.cutoff_ps, f_cut_THz=opts.f_cut_THz, nernst_einstein_S_per_m=ne)
    summary = res.summary()
    summary["inputs"] = folders
    summary["charges_e"] = charges
    write_arrays_h5(out / "conductivity_green_kubo.h5", {"green_kubo": _gk_arrays(res.gk, res.sigma_cepstral)},
                    attrs={"integral_unit": "S/m"})
    plots.plot_green_kubo(out / "conductivity_green_kubo.png", res.gk, res.sigma_cepstral, label="sigma", unit="S/m")
    write_json(out / "summary.json", summary)
    return summary


def run_templates(opts: RunConfig) -> dict:
    """Run ``n_runs`` independent copies of a template; writes and returns ``workdir/summary.json``
    (what ran where: template, potential, structure, variables, run folders and seeds)."""
    from .drivers import run_independent

    atoms = opts.structure.load(opts.potential.type_names)
    type_names = opts.potential.species_for(atoms.get_chemical_symbols())
    folders = run_independent(opts.template, opts.workdir, opts.potential, atoms, n_runs=opts.n_runs,
                              first_seed=opts.first_seed, variables=opts.variables, nprocs=opts.nprocs)
    replicas = math.prod(int(opts.variables.get(k, 1)) for k in ("nx", "ny", "nz"))
    summary = {"method": f"{opts.template} x {len(folders)}", "template": opts.template,
               "potential": opts.potential.describe(), "structure": opts.structure.describe(),
               "n_atoms": len(atoms) * replicas, "type_names": type_names, "variables": opts.variables,
               "runs": [{"folder": str(f), "seed": opts.first_seed + k} for k, f in enumerate(folders)],
               "warnings": []}
    write_json(Path(opts.workdir) / "summary.json", summary)
    return summary


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
