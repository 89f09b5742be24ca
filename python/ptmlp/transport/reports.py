"""Run an analysis from its validated config (:mod:`.config`) and write its outputs:
``summary.json`` (unit in every key; every result with its statistical, systematic and total
1-sigma error by the one uncertainty model, :mod:`ptmlp.uncertainty`; the measured temperature;
with ``units: lj`` a ``reduced_lj`` block), an HDF5 file with the correlation functions /
profiles / MSDs, and PNG plots. The CLI (``ptmlp transport``) is a thin layer over these
functions."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import InputError
from ..jsonfile import read_json, write_json
from . import plots
from .config import ConductivityConfig, DiffusionConfig, KappaConfig, RunConfig, ViscosityConfig
from .results import UNCERTAINTY_NOTE, Measurement, Notes, TransportWarning, combine, measurement, write_arrays_h5
from .temperature import measured_temperature, temperature_summary


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


def _finish(out: Path, summary: dict, opts) -> dict:
    """Add the units blocks (``units``; with lj: ``lj_units`` and ``reduced_lj``) and write summary.json."""
    units = opts.display()
    summary["units"] = units.name
    if units.lj is not None:
        summary["lj_units"] = units.describe()
        summary["reduced_lj"] = units.reduced({k: v for k, v in summary.items() if k not in ("lj_units", "inputs")})
    write_json(out / "summary.json", summary)
    return summary


def _gk_options(opts) -> dict:
    """Keyword arguments of the Green-Kubo analyses shared by kappa and viscosity."""
    return dict(max_correlation_time_ps=opts.max_correlation_time_ps, cutoff=opts.cutoff_ps, f_cut_THz=opts.f_cut_THz,
                volume_A3=opts.volume_A3, timestep_ps=opts.timestep_ps, temperature_K=opts.temperature_K)


def _gk_arrays(gk, cep) -> dict:
    return {"lag_time_ps": gk.lag_time_s * 1e12, "acf_SI": gk.acf, "acf_std_err_SI": gk.acf_std_err,
            "running_integral_SI": gk.integral, "running_integral_std_err_SI": gk.integral_std_err,
            "cepstral_freq_THz": cep.freq_Hz / 1e12, "cepstral_psd_raw_SI": cep.psd_raw,
            "cepstral_psd_filtered_SI": cep.psd_filtered, "cepstral_aic": cep.aic}


def _runs_temperature(runs, notes: Notes) -> dict:
    """Summary keys of the measured temperature of several NEMD runs (records on the results)."""
    records = [r.temperature_record for r in runs if r.temperature_record is not None]
    return temperature_summary(measured_temperature(records, notes), records)


def report_kappa(opts: KappaConfig) -> dict:
    units = opts.display()
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
        plots.plot_green_kubo(out / "kappa_green_kubo.png", res.gk, res.kappa_cepstral, label="kappa", kind="kappa",
                              units=units)
        return _finish(out, summary, opts)
    if opts.method == "nemd":
        from .extrapolation import extrapolate_inverse_length
        from .kappa_nemd import kappa_nemd

        out = _out(opts, "kappa")
        runs = []
        ka = units.axis("kappa")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            for k, folder in enumerate(list(opts.inputs)):
                r = kappa_nemd(folder, exclude_bins=opts.exclude_bins, n_batches=opts.n_batches,
                               steady_steps=opts.steady_steps)
                plots.plot_profile(out / f"profile_{k:03d}.png", r.profile, name="temperature", kind="temperature",
                                   units=units, title=f"{Path(folder).name}: kappa = {r.kappa.value * ka.scale:.3g} "
                                                      f"± {r.kappa.std_err * ka.scale:.2g} {ka.unit}")
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
        notes = Notes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            lengths = [r.length_A for _, r in runs]
            if len(set(np.round(lengths, 6))) >= 2:
                ext = extrapolate_inverse_length(lengths, [r.kappa for _, r in runs], form=opts.size_extrapolation)
                summary["method"] = "nemd, 1/L extrapolation"
                summary.update(ext.summary())
                summary["box_lengths_A"] = [float(x) for x in lengths]
                summary["kappa_per_run_W_per_mK"] = [r.kappa.value for _, r in runs]
                summary["kappa_per_run_W_per_mK_err"] = [r.kappa.std_err for _, r in runs]
                notes.messages += ext.notes.messages
                plots.plot_extrapolation(out / "kappa_size_extrapolation.png", ext, x_kind="inverse_length",
                                         y_kind="kappa", xlabel="1/L", ylabel="kappa", units=units,
                                         x_of=lambda L: 1.0 / (np.asarray(L) * 1e-10))
            else:
                combined = combine([r.kappa for _, r in runs]).with_systematic(
                    None, "not estimated (one box length: no 1/L extrapolation)")
                summary.update(combined.as_dict("kappa_W_per_mK"))
            summary.update(_runs_temperature([r for _, r in runs], notes))
        summary["warnings"] = notes.messages + sum((s["warnings"] for s in per_run), [])
        summary["uncertainty"] = UNCERTAINTY_NOTE
        return _finish(out, summary, opts)
    raise InputError(f"unknown kappa method {opts.method!r}: green-kubo or nemd")


def report_viscosity(opts: ViscosityConfig) -> dict:
    units = opts.display()
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
                              kind="viscosity", units=units,
                              extra=plots.einstein_helfand_panel(res.einstein_helfand, units))
        return _finish(out, summary, opts)
    if opts.method == "muller-plathe":
        from .viscosity_nemd import viscosity_zero_shear

        out = _out(opts, "viscosity")
        notes = Notes()
        va = units.axis("viscosity")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TransportWarning)
            runs, zs = viscosity_zero_shear(list(opts.inputs), exclude_bins=opts.exclude_bins,
                                            n_batches=opts.n_batches, variable=opts.shear_extrapolation, notes=notes)
            for k, r in enumerate(runs):
                plots.plot_profile(out / f"velocity_profile_{k:03d}.png", r.profile, name="v_x", kind="velocity",
                                   units=units, title=f"{Path(r.folder).name}: eta = "
                                                      f"{r.viscosity.value * va.scale:.4g} ± "
                                                      f"{r.viscosity.std_err * va.scale:.2g} {va.unit}")
            summary = {"quantity": "shear viscosity", "method": "muller-plathe"}
            if zs is not None:
                summary["method"] = "muller-plathe, zero-shear extrapolation"
                summary.update(zs.summary())
                notes.messages += zs.notes.messages
                plots.plot_extrapolation(out / "zero_shear_extrapolation.png", zs, x_kind="rate", y_kind="viscosity",
                                         xlabel="shear rate", ylabel="viscosity", units=units)
            else:
                summary.update(runs[0].viscosity.estimate(None, "not estimated (one shear rate: no zero-shear "
                                                                "extrapolation)").as_dict("viscosity_Pa_s"))
            summary["shear_rates_per_s"] = [r.shear_rate_per_s.value for r in runs]
            summary["viscosity_at_rate_Pa_s"] = [r.viscosity.value for r in runs]
            summary["viscosity_at_rate_Pa_s_err"] = [r.viscosity.std_err for r in runs]
            summary.update(_runs_temperature(runs, notes))
        summary["runs"] = [r.summary() for r in runs]
        summary["warnings"] = notes.messages + sum((r.notes.messages for r in runs), [])
        summary["uncertainty"] = UNCERTAINTY_NOTE
        return _finish(out, summary, opts)
    raise InputError(f"unknown viscosity method {opts.method!r}: green-kubo or muller-plathe")


def _viscosity_for_yeh_hummer(opts: DiffusionConfig) -> tuple[Optional[Measurement], Optional[str]]:
    """The viscosity for Yeh-Hummer (with its error) and where it came from, or (None, None)."""
    if opts.viscosity_summary is not None:
        s = read_json(opts.viscosity_summary)
        if not isinstance(s, dict) or "viscosity_Pa_s" not in s:
            raise InputError(f"{opts.viscosity_summary} has no viscosity_Pa_s (a 'ptmlp transport viscosity' "
                             "summary.json?)")
        err = s.get("viscosity_Pa_s_err", s.get("viscosity_Pa_s_std_err"))  # the latter: summaries before #20
        return Measurement(s["viscosity_Pa_s"], err or 0.0), str(opts.viscosity_summary)
    if opts.viscosity_Pa_s is not None:
        return Measurement(opts.viscosity_Pa_s, opts.viscosity_std_err_Pa_s), "given (viscosity_Pa_s)"
    return None, None


def _yeh_hummer_temperature(opts: DiffusionConfig, record, traj_path, notes: Notes) -> tuple[Optional[float], str]:
    """The temperature of the Yeh-Hummer correction: given, else the run's measured mean, else its target."""
    from .readers import run_info_near

    if opts.temperature_K is not None:
        return opts.temperature_K, "given (temperature_K)"
    if record is not None:
        return float(record.series_K.mean()), f"measured ({record.source})"
    target = (run_info_near(traj_path) or {}).get("T_target_K")
    if target is not None:
        notes.warn(f"{traj_path}: no temperature series next to it (temperature.dat or log.lammps): Yeh-Hummer uses "
                   f"the target {target} K; give temperature_K for the measured one")
        return float(target), "target (run_info.yaml)"
    return None, "unknown"


def _combined_yeh_hummer(results, name: str) -> tuple[object, dict]:
    """Runs' Yeh-Hummer corrected D of ``name`` combined (stat: the runs' scatter; sys: the mean
    correction error, common to the runs) and the ``yeh_hummer`` summary block of several runs."""
    pairs = [r.estimates(name)[1] for r in results]
    est = combine([Measurement(p.value, p.stat_err) for p in pairs])
    est = est.with_systematic(float(np.mean([p.sys_err for p in pairs])),
                              "Yeh-Hummer correction error from the viscosity's error (common to the runs)")
    blocks = [r.yeh_hummer() for r in results]
    block = {"applied": True, "xi": blocks[0]["xi"], **{k: blocks[0][k] for k in ("viscosity_Pa_s", "viscosity_Pa_s_err")},
             "temperature_K": [b["temperature_K"] for b in blocks],
             "temperature_source": sorted({b["temperature_source"] for b in blocks}),
             "box_edge_A": [b["box_edge_A"] for b in blocks],
             "correction_m2_per_s": [b["correction_m2_per_s"] for b in blocks]}
    return est, block


def report_diffusion(opts: DiffusionConfig) -> dict:
    from .diffusion import self_diffusion
    from .temperature import find_record
    from .trajectory import load_trajectory

    out = _out(opts, "diffusion")
    units = opts.display()
    eta, eta_source = _viscosity_for_yeh_hummer(opts)
    notes = Notes()
    per_run, results, records = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        for k, src in enumerate(list(opts.inputs)):
            with load_trajectory(src, timestep_ps=opts.timestep_ps) as traj:
                record = find_record(traj.path)
                records.append(record)
                temp, source = (None, "not needed") if eta is None else \
                    _yeh_hummer_temperature(opts, record, traj.path, notes)
                res = self_diffusion(traj, temperature_K=temp, viscosity=eta, max_fit_fraction=opts.max_fit_fraction,
                                     beta_tolerance=opts.beta_tolerance, fit_window_ps=opts.fit_window_ps,
                                     temperature_source=source)
            plots.plot_msd(out / f"msd_{k:03d}.png", res, units)
            s = res.summary()
            if eta is not None:
                s["yeh_hummer"]["viscosity_source"] = eta_source
            s.update(temperature_summary(record.estimate() if record is not None else None, [record]))
            s["input"] = str(src)
            per_run.append(s)
            results.append(res)
        write_arrays_h5(out / "msd.h5", {f"run_{k:03d}_{name}": {"lag_time_ps": fit.time_s * 1e12,
                                                                  "msd_A2": fit.msd_m2 * 1e20,
                                                                  "local_exponent": fit.exponent}
                                         for k, r in enumerate(results) for name, fit in r.species.items()})
        summary = {"quantity": "self-diffusion", "method": "msd", "n_runs": len(results)}
        for name in results[0].species:
            if len(results) > 1:
                d = combine([r.species[name].D for r in results]).with_systematic(
                    None, "not estimated (D at this box size; the finite-size correction is the Yeh-Hummer one)")
                summary.update(d.as_dict(f"D_{name}_m2_per_s"))
                summary[f"D_{name}_per_run_m2_per_s"] = [r.species[name].D.value for r in results]
                summary[f"D_{name}_per_run_m2_per_s_err"] = [r.species[name].D.std_err for r in results]
                if all(name in r.corrected for r in results):
                    yh, block = _combined_yeh_hummer(results, name)
                    summary.update(yh.as_dict(f"D_{name}_yeh_hummer_m2_per_s"))
                    summary["yeh_hummer"] = {**block, "viscosity_source": eta_source}
            else:
                summary.update({k: v for k, v in per_run[0].items() if k.startswith(f"D_{name}_")})
        summary.setdefault("yeh_hummer", per_run[0]["yeh_hummer"] if len(results) == 1 else
                           {"applied": False, "reason": results[0].yeh_hummer().get("reason", "not every run")})
        summary.update(temperature_summary(measured_temperature(records, notes), records))
    summary["runs"] = per_run
    summary["warnings"] = notes.messages + sum((s["warnings"] for s in per_run), [])
    summary["uncertainty"] = UNCERTAINTY_NOTE
    return _finish(out, summary, opts)


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
            ne = measurement(combine(values))
        res = conductivity_green_kubo(runs, charges, max_correlation_time_ps=opts.max_correlation_time_ps,
                                      cutoff=opts.cutoff_ps, f_cut_THz=opts.f_cut_THz, nernst_einstein_S_per_m=ne)
    summary = res.summary()
    summary["inputs"] = folders
    summary["charges_e"] = charges
    write_arrays_h5(out / "conductivity_green_kubo.h5", {"green_kubo": _gk_arrays(res.gk, res.sigma_cepstral)},
                    attrs={"integral_unit": "S/m"})
    plots.plot_green_kubo(out / "conductivity_green_kubo.png", res.gk, res.sigma_cepstral, label="sigma",
                          kind="conductivity", units=opts.display())
    return _finish(out, summary, opts)


def run_templates(opts: RunConfig, report=None) -> dict:
    """Run ``n_runs`` independent copies of a template (a start and an end line per run, progress
    within it, to ``report``); writes and returns ``workdir/summary.json``: what ran where (template, potential,
    structure, variables, run folders and seeds) and the measured temperature of each run."""
    from .drivers import run_independent
    from .temperature import find_record

    atoms = opts.structure.load(opts.potential.type_names)
    type_names = opts.potential.species_for(atoms.get_chemical_symbols())
    runs = run_independent(opts.template, opts.workdir, opts.potential, atoms, n_runs=opts.n_runs,
                           first_seed=opts.first_seed, variables=opts.variables, nprocs=opts.nprocs, report=report)
    replicas = math.prod(int(opts.variables.get(k, 1)) for k in ("nx", "ny", "nz"))
    notes = Notes()
    records, per_run = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        for k, f in enumerate(runs):
            record = find_record(f)
            records.append(record)
            per_run.append({"folder": str(f), "seed": opts.first_seed + k,
                            **temperature_summary(record.estimate() if record is not None else None, [record])})
        temperature = temperature_summary(measured_temperature(records, notes), records)
    summary = {"method": f"{opts.template} x {len(runs)}", "template": opts.template,
               "potential": opts.potential.describe(), "structure": opts.structure.describe(),
               "n_atoms": len(atoms) * replicas, "type_names": type_names, "variables": opts.variables,
               **temperature, "runs": per_run, "uncertainty": UNCERTAINTY_NOTE, "warnings": notes.messages}
    write_json(Path(opts.workdir) / "summary.json", summary)
    return summary


REPORTS = {"kappa": report_kappa, "viscosity": report_viscosity, "diffusion": report_diffusion,
           "conductivity": report_conductivity, "run": run_templates}

#: key parts of the numbers the CLI prints
_HEADLINE_UNITS = ("_W_per_mK", "_Pa_s", "_m2_per_s", "_S_per_m", "temperature_K", "ratio", "_lj")
_HEADLINE_LJ = ("kappa", "viscosity_lj", "viscosity_cepstral", "viscosity_einstein", "D_", "temperature_lj",
                "temperature_err", "temperature_stat", "temperature_sys")
_ERROR_PARTS = ("_err", "_stat_err", "_sys_err", "_error_model")


def _errors_of(summary: dict, key: str) -> tuple:
    """(total, stat, sys) errors of ``key`` in either spelling (``key_err`` or, for keys ending in a
    unit, ``stem_err_unit``); None where absent."""
    stem, _, unit = key.rpartition("_")
    out = []
    for what in ("err", "stat_err", "sys_err"):
        value = summary.get(f"{key}_{what}", summary.get(f"{stem}_{what}_{unit}") if stem else None)
        out.append(value if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
    return tuple(out)


def headline(summary: dict, prefix: str = "") -> list[str]:
    """Lines 'key  value +- total (stat, sys)' for the results of a summary (for the CLI); the
    ``reduced_lj`` block too."""
    lines = []
    for key, value in summary.items():
        if key == "reduced_lj" and isinstance(value, dict):
            lines += headline({k: v for k, v in value.items() if k.startswith(_HEADLINE_LJ)}, prefix="lj: ")
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if any(part in key for part in _ERROR_PARTS) or not any(u in key for u in _HEADLINE_UNITS):
            continue
        total, stat, sys_err = _errors_of(summary, key)
        text = f"{prefix + key:44s} {value:.5g}"
        if total is not None and math.isfinite(total):
            text += f" +- {total:.2g}"
            if sys_err is not None and stat is not None:
                text += f" (stat {stat:.2g}, sys {sys_err:.2g})"
        lines.append(text)
    return lines
