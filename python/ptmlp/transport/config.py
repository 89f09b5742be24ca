"""Options of the ``ptmlp transport`` subcommands, defined once: each becomes a command-line
flag and a key of the validated ``--config`` YAML (unknown keys are refused). Command-line
flags override the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import InputError


@dataclass(frozen=True)
class Option:
    name: str  # YAML key; flag is --name with _ -> -
    kind: Callable  # float, int, str, bool, list, dict
    help: str
    default: Any = None
    choices: Optional[tuple] = None


def _cutoff(value):
    """'noise', 'first-zero' or a time in ps."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    if text in ("noise", "first-zero"):
        return text
    try:
        return float(text)
    except ValueError:
        raise InputError(f"cutoff must be 'noise', 'first-zero' or a time in ps, got {value!r}") from None


def _charges(value) -> dict:
    """{species: charge} from a mapping or 'Mg=2,Si=4,O=-2'."""
    if isinstance(value, dict):
        out = value
    else:
        out = {}
        for item in str(value).split(","):
            if not item.strip():
                continue
            if "=" not in item:
                raise InputError(f"charges must look like Mg=2,O=-2; got {value!r}")
            k, v = item.split("=", 1)
            out[k.strip()] = v
    try:
        return {str(k): float(v) for k, v in out.items()}
    except (TypeError, ValueError):
        raise InputError(f"charges must be numbers, got {value!r}") from None


def _pair(value) -> tuple:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InputError(f"expected two numbers (start end), got {value!r}")
    return float(value[0]), float(value[1])


def _mapping(value) -> dict:
    if not isinstance(value, dict):
        raise InputError(f"expected a mapping (key: value), got {value!r}")
    return dict(value)


def _triple(value) -> tuple:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple)) or len(value) != 3 or any(int(v) < 1 for v in value):
        raise InputError(f"expected three positive integers, got {value!r}")
    return tuple(int(v) for v in value)


COMMON_GK = [
    Option("max_correlation_time_ps", float, "longest correlation time (ps); the runs must be >= 10x longer"),
    Option("cutoff", _cutoff, "Green-Kubo cutoff: noise (default), first-zero, or a time in ps", "noise"),
    Option("f_cut_THz", float, "cepstral frequency cutoff F* (THz; default 2/t_cutoff)"),
    Option("volume_A3", float, "volume (A^3) if there is no run_info.yaml"),
    Option("timestep_ps", float, "MD time step (ps) if there is no run_info.yaml"),
    Option("temperature_K", float, "temperature (K) if the files have no temperature column"),
]
COMMON_NEMD = [
    Option("exclude_bins", int, "slabs skipped next to each reservoir in the linear fits", 1),
    Option("n_batches", int, "batches of profile blocks for the error estimate", 10),
]
OUT = Option("out", str, "output folder for summary.json, HDF5 and PNG files")

SCHEMAS = {
    "kappa": [Option("method", str, "green-kubo (heatflux.dat) or nemd (run folders of nemd_kappa.in)",
                     "green-kubo", ("green-kubo", "nemd")),
              Option("inputs", list, "heat-flux files / run folders"),
              *COMMON_GK,
              Option("decorrelate", bool, "project the mass fluxes out of the energy flux (mixtures)", True),
              *COMMON_NEMD,
              Option("steady_steps", int, "NEMD: override the steps skipped before the steady state"),
              OUT],
    "viscosity": [Option("method", str, "green-kubo (pressure.dat / log) or muller-plathe (run folders)",
                         "green-kubo", ("green-kubo", "muller-plathe")),
                  Option("inputs", list, "pressure files, thermo logs, or run folders"),
                  *COMMON_GK,
                  Option("helfand_fit_ps", _pair, "Einstein-Helfand fit window (start end, ps)"),
                  *COMMON_NEMD,
                  Option("shear_extrapolation", str, "zero-shear fit variable", "sqrt", ("sqrt", "linear")),
                  OUT],
    "diffusion": [Option("inputs", list, "dump files (id type xu yu zu), one per independent run"),
                  Option("timestep_ps", float, "MD time step (ps) if there is no run_info.yaml"),
                  Option("temperature_K", float, "temperature (K) for the Yeh-Hummer correction"),
                  Option("viscosity_Pa_s", float, "shear viscosity for the Yeh-Hummer correction"),
                  Option("viscosity_std_err_Pa_s", float, "its standard error", 0.0),
                  Option("viscosity_summary", str, "summary.json of 'ptmlp transport viscosity' (instead of the two above)"),
                  Option("max_fit_fraction", float, "fit the MSD up to this fraction of the run", 0.3),
                  Option("beta_tolerance", float, "diffusive when |dlog MSD/dlog t - 1| < this", 0.1),
                  Option("fit_window_ps", _pair, "fixed MSD fit window (start end, ps) instead of automatic"),
                  OUT],
    "conductivity": [Option("inputs", list, "run folders (vcm_types.dat; traj.lammpstrj* for Nernst-Einstein)"),
                     Option("charges", _charges, "formal charges, e.g. Mg=2,Si=4,O=-2"),
                     *COMMON_GK,
                     Option("nernst_einstein", bool, "also compute Nernst-Einstein from the dumps", True),
                     OUT],
    "run": [Option("template", str, "inputs/ template to run", None,
                   ("gk_kappa", "gk_viscosity", "msd", "nemd_kappa", "nemd_viscosity")),
            Option("potential", _mapping, "interaction: {lj: {epsilon_eV, sigma_A, cutoff_sigma}} | "
                   "{eam: {file, elements}} | {ptmlp: {model, species}} | {lines: [...], species: [...], files: [...]}"),
            Option("structure", str, "structure file (any ASE-readable format, e.g. POSCAR, extxyz, LAMMPS data)"),
            Option("repeat", _triple, "replicate the structure (nx ny nz)", (1, 1, 1)),
            Option("n_runs", int, "independent runs (seeds first_seed, first_seed+1, ...)", 1),
            Option("first_seed", int, "seed of the first run", 1),
            Option("nprocs", int, "MPI ranks per run", 1),
            Option("workdir", str, "folder for run_000, run_001, ...", "transport_runs"),
            Option("variables", _mapping, "template variables, e.g. {T: 3000, dt: 0.001, run_steps: 100000}")],
}


def load_config(path: str | Path, command: str) -> dict:
    """YAML config for ``command``; unknown keys and wrong types are InputErrors."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file {p} not found")
    try:
        data = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise InputError(f"{p}: the config must be a mapping of option: value")
    return validate(data, command, str(p))


def validate(data: dict, command: str, source: str = "config") -> dict:
    schema = {o.name: o for o in SCHEMAS[command]}
    unknown = sorted(set(data) - set(schema))
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(unknown)} for 'transport {command}' "
                         f"(allowed: {', '.join(schema)})")
    out = {}
    for key, value in data.items():
        opt = schema[key]
        if value is None:
            continue
        try:
            if opt.kind is bool:
                if not isinstance(value, bool):
                    raise ValueError
                out[key] = value
            elif opt.kind is list:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
            else:
                out[key] = opt.kind(value)
        except InputError as exc:
            raise InputError(f"{source}: '{key}': {exc}") from None
        except (TypeError, ValueError):
            raise InputError(f"{source}: '{key}' must be {getattr(opt.kind, '__name__', 'valid')}, got {value!r}") from None
        if opt.choices and out[key] not in opt.choices:
            raise InputError(f"{source}: '{key}' must be one of {', '.join(opt.choices)}, got {value!r}")
    return out


def merged(command: str, config: dict, cli: dict) -> dict:
    """Defaults < config file < command line (None on the command line = not given)."""
    out = {o.name: o.default for o in SCHEMAS[command]}
    out.update(config)
    out.update({k: v for k, v in cli.items() if v is not None})
    return out
