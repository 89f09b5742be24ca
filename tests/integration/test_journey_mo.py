"""A user's own DFT data end to end: the mlearn Mo set (VASP PBE; ../shared/data/mlearn/Mo),
written as a user has it (extxyz, and dpdata deepmd/npy), through every seam of ptmlp:

    ptmlp data import (both formats: the same frames)
    -> ptmlp train (with virials; and energies + forces only, from an extxyz without stress)
    -> ptmlp test on the set's own test frames (energy, force, stress RMSE)
    -> the model in lmp NVT on 1 and 2 ranks and through PtmlpCalculator (agree to round-off)
    -> ptmlp elastic: C11, C12, C44 of bcc Mo at 0 K against the set's DFT Elastic frames
    -> a short ptmlp melt and a short ptmlp transport run (+ diffusion) at 20 GPa, inside the
       pressures and densities of the training data, that finish with strict-JSON summaries.

``small`` (default suite): 24 training frames and a tiny model trained for a few epochs: it
checks the seams, not accuracy. ``full`` (``-m slow``): all 194 training frames and a model
trained long enough to compare with DFT. The measured numbers of each step are written to
``journey_<size>.json`` in the test's folder and printed.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from ptmlp.calculator import PtmlpCalculator
from ptmlp.data.store import Dataset
from ptmlp.jsonfile import read_json, write_json

from journey_helpers import (MO_DIR, MO_MISSING, elastic_constants_GPa, journey_dir, lmp_ranks_and_ase_agree,
                             mlearn_records, model_stress_GPa, ptmlp, record_atoms, stress_sign_check,
                             virial_stress_GPa, write_deepmd_npy, write_extxyz)

pytestmark = pytest.mark.skipif(not MO_DIR.is_dir(), reason=MO_MISSING)


@dataclass
class Size:
    """How much of the journey a run does."""

    name: str
    keep_every: dict  # mlearn group -> keep every k-th training record (0: none)
    elastic_max_strain: float  # Elastic training records up to this |strain| (and the unstrained ones)
    model: str  # model: section of the train config (YAML flow)
    training: str  # training: section
    nvt_steps: int
    melt: dict  # overrides of the melt config
    transport_steps: dict
    # |model - DFT| allowed for C11, C12, C44 (GPa) of the model trained with virials, and
    # |ptmlp elastic - the same model's stress-strain slope on the DFT frames| for both models:
    # measured, see test_elastic_constants_against_dft
    elastic_tolerance_GPa: dict = field(default_factory=dict)
    elastic_workflow_tolerance_GPa: float = math.inf


SMALL = Size(
    "small", {"AIMD-NVT": 10, "Elastic": 1, "Vacancy": 0, "Surface": 0}, 0.02,
    "{r_cut: 5.0, n_radial: 4, n_channels: 4, l_max: 1, hidden_widths: [16]}",
    "{epochs: 6, batch_frames: 2, lr: 0.01, lr_final: 0.002, early_stopping_patience_epochs: null}",
    nvt_steps=20,
    melt={"bracket": {"T_low_K": 2500.0, "T_high_K": 5000.0, "max_bisections": 0, "min_change": 0.02},
          "cell": {"replicate": [4, 4, 7]},  # the smallest cell r_cut = 5 A allows (224 atoms)
          "md": {"timestep_ps": 0.002, "solid_equilibration_ps": 1.0, "melt_ps": 2.0, "cool_ps": 1.0,
                 "coexistence_ps": 4.0, "discard_ps": 0.5, "reference_ps": 1.0, "sample_every_steps": 25}},
    transport_steps={"melt_steps": 500, "equil_steps": 500, "run_steps": 2000, "dump_every": 20},
    elastic_tolerance_GPa={},  # a few epochs on 25 frames: no accuracy to check
)
FULL = Size(
    "full", {"AIMD-NVT": 1, "Elastic": 1, "Vacancy": 1, "Surface": 1}, 1.0,
    "{r_cut: 5.0, n_radial: 6, n_channels: 8, l_max: 2, hidden_widths: [32, 32]}",
    "{epochs: 20, batch_frames: 4, lr: 0.005, lr_final: 0.0001, early_stopping_patience_epochs: null}",
    nvt_steps=200,
    melt={"bracket": {"T_low_K": 3000.0, "T_high_K": 4600.0, "max_bisections": 1, "min_change": 0.02},
          "cell": {"replicate": [4, 4, 10]},
          "md": {"timestep_ps": 0.002, "solid_equilibration_ps": 2.0, "melt_ps": 3.0, "cool_ps": 2.0,
                 "coexistence_ps": 10.0, "discard_ps": 1.0, "reference_ps": 2.0, "sample_every_steps": 25}},
    transport_steps={"melt_steps": 2000, "equil_steps": 2000, "run_steps": 10000, "dump_every": 50},
    elastic_tolerance_GPa={"C11": 60.0, "C12": 60.0, "C44": 60.0},
    elastic_workflow_tolerance_GPa=10.0,
)


def kept(records: list[dict], size: Size) -> list[dict]:
    out = []
    for k, r in enumerate(records):
        every = size.keep_every[r["group"]]
        if r["group"] == "Elastic":
            m = re.search(r"strain ([-0-9.]+)", r["description"])
            if m is None or abs(float(m.group(1))) <= size.elastic_max_strain + 1e-9:
                out.append(r)
        elif every and k % every == 0:
            out.append(r)
    return out


@dataclass
class Journey:
    size: Size
    root: Path
    numbers: dict
    models: dict  # "virials" / "no_virials" -> model file

    def record(self, step: str, value) -> None:
        self.numbers[step] = value
        write_json(self.root / f"journey_{self.size.name}.json", self.numbers)


def timed(journey: Journey, label: str, *args, cwd=None) -> str:
    t0 = time.monotonic()
    proc = ptmlp(*args, cwd=cwd or journey.root)
    journey.numbers.setdefault("wall_s", {})[label] = round(time.monotonic() - t0, 1)
    return proc.stdout


TRAININGS = (("virials", "mo.h5", 0.1), ("no_virials", "mo_no_virials.h5", 0.0))  # name, dataset, virial weight


def write_user_files(size: Size, root: Path) -> tuple[list[dict], list[dict]]:
    """The set as a user has it: extxyz and deepmd/npy of the training frames, extxyz of the test
    frames, and an extxyz of energies and forces only (no stress)."""
    train, test = kept(mlearn_records("training"), size), mlearn_records("test")
    write_extxyz(train, root / "train.extxyz")
    write_deepmd_npy(train, root / "train_npy")
    write_extxyz(test, root / "test.extxyz")
    no_stress = []
    for r in train:
        a = record_atoms(r)
        a.calc = SinglePointCalculator(a, energy=a.calc.results["energy"], forces=a.calc.results["forces"])
        no_stress.append(a)
    write(root / "train_no_stress.extxyz", no_stress)
    return train, test


def train_yaml(size: Size, name: str, dataset: str, virial_weight: float) -> str:
    return (f"dataset: {dataset}\noutput_dir: run_{name}\nsplit_by_group: false\nsplit_fractions: [0.9, 0.1, 0.0]\n"
            f"model: {size.model}\ntraining: {size.training[:-1]}, loss_weights: {{virial: {virial_weight}}}}}\n")


@pytest.fixture(scope="module", params=["small", pytest.param("full", marks=pytest.mark.slow)])
def journey(request, tmp_path_factory) -> Journey:
    """The user's files, both imports and both trainings."""
    size = SMALL if request.param == "small" else FULL
    root = journey_dir(tmp_path_factory, f"journey_mo_{size.name}")
    report = root / f"journey_{size.name}.json"  # a kept folder: add to what earlier runs measured
    j = Journey(size, root, read_json(report) if report.exists() else {"size": size.name}, {})
    train, test = write_user_files(size, root)
    for label, source, dataset in (("import extxyz", "train.extxyz", "mo.h5"), ("import deepmd/npy", "train_npy",
                                   "mo_npy.h5"), ("import test", "test.extxyz", "mo_test.h5"),
                                   ("import no stress", "train_no_stress.extxyz", "mo_no_virials.h5")):
        if not (root / dataset).exists():  # (a kept $PTMLP_JOURNEY_DIR has it already)
            timed(j, label, "data", "import", source, "-o", dataset)
    for name, dataset, weight in TRAININGS:
        j.models[name] = root / f"run_{name}" / "member_0" / "model.pt"
        if j.models[name].exists():
            continue
        (root / f"train_{name}.yaml").write_text(train_yaml(size, name, dataset, weight))
        out = timed(j, f"train {name}", "train", f"train_{name}.yaml")
        assert j.models[name].is_file(), out
    j.record("frames", {"train": len(train), "test": len(test)})
    for name, _, _ in TRAININGS:
        member = read_json(root / f"run_{name}" / "train_summary.json")["members"][0]
        j.record(f"training {name}", member)
    return j


def test_virial_stress_sign_and_order():
    """The set's virial_stress is minus the stress, in the order xx yy zz xy zx yz: the energy
    change along the Elastic strain paths equals the stress work (journey_helpers docstring)."""
    rms = stress_sign_check(mlearn_records("training") + mlearn_records("test"))
    print(f"rms |dE - W| = {rms:.4f} eV over the Elastic strain paths")
    assert rms < 0.05  # eV; 0.38 with VASP's (xy yz zx) order, 4.4 with the opposite sign


def test_both_formats_give_the_same_frames(journey):
    a = sorted(Dataset(journey.root / "mo.h5").read(), key=lambda f: (len(f.atoms), f.energy_eV))
    b = sorted(Dataset(journey.root / "mo_npy.h5").read(), key=lambda f: (len(f.atoms), f.energy_eV))
    assert len(a) == len(b) == journey.numbers["frames"]["train"]
    worst = {"energy_eV": 0.0, "forces_eV_per_A": 0.0, "virial_eV": 0.0, "positions_A": 0.0, "cell_A": 0.0}
    for fa, fb in zip(a, b):
        worst["energy_eV"] = max(worst["energy_eV"], abs(fa.energy_eV - fb.energy_eV))
        worst["forces_eV_per_A"] = max(worst["forces_eV_per_A"], np.abs(fa.forces_eV_per_A - fb.forces_eV_per_A).max())
        worst["virial_eV"] = max(worst["virial_eV"], np.abs(fa.virial_eV - fb.virial_eV).max())
        worst["positions_A"] = max(worst["positions_A"], np.abs(fa.atoms.positions - fb.atoms.positions).max())
        worst["cell_A"] = max(worst["cell_A"], np.abs(fa.atoms.cell.array - fb.atoms.cell.array).max())
    journey.record("extxyz vs deepmd/npy, max difference", worst)
    # the same structures: one dataset fed from both formats keeps each frame once
    assert set(Dataset(journey.root / "mo.h5").hashes()) == set(Dataset(journey.root / "mo_npy.h5").hashes())
    assert worst["energy_eV"] < 1e-9 and worst["forces_eV_per_A"] < 1e-9 and worst["virial_eV"] < 1e-8
    assert worst["positions_A"] < 1e-8 and worst["cell_A"] < 1e-8  # extxyz keeps 8 decimals
    # the labels went in with the right signs: the dataset's pressure is the DFT pressure
    f = next(f for f in a if len(f.atoms) == 54)
    rec = next(r for r in mlearn_records("training") if abs(r["outputs"]["energy"] - f.energy_eV) < 1e-9)
    assert f.pressure_GPa == pytest.approx(-np.trace(virial_stress_GPa(rec)) / 3, abs=1e-9)


def stress_rmse_GPa(model: Path, frames) -> float:
    calc = PtmlpCalculator(model)
    diffs = []
    for fr in frames:
        a = fr.atoms.copy()
        a.calc = calc
        ref = -fr.virial_eV / a.get_volume() * 160.21766208  # GPa, tension positive
        diffs.append(a.get_stress(voigt=False) * 160.21766208 - ref)
    return float(np.sqrt(np.mean(np.square(diffs))))


def test_model_errors_on_the_test_frames(journey):
    """ptmlp test on the set's 23 test frames; stress RMSE through the calculator. Training with
    virials must give the better stresses."""
    frames = Dataset(journey.root / "mo_test.h5").read()
    rows = {}
    for name, model in journey.models.items():
        timed(journey, f"test {name}", "test", model, "mo_test.h5", "-o", f"test_{name}")
        s = read_json(journey.root / f"test_{name}" / "test_summary.json")
        rows[name] = {"n_frames": s["n_frames"], "energy_rmse_meV_per_atom": s["energy_rmse_meV_per_atom"],
                      "force_rmse_meV_per_A": s["force_rmse_meV_per_A"],
                      "virial_rmse_meV_per_atom": s["virial_rmse_meV_per_atom"],
                      "stress_rmse_GPa": stress_rmse_GPa(model, frames)}
        assert s["n_frames"] == 23 and all(np.isfinite(v) for v in rows[name].values())
    journey.record("test set errors", rows)
    print(json.dumps(rows, indent=1))
    if journey.size.name == "full":
        assert rows["virials"]["stress_rmse_GPa"] < rows["no_virials"]["stress_rmse_GPa"]


def test_lammps_1_and_2_ranks_and_ase_agree(journey, plugin_built):
    """Both models (with and without virials) in lmp NVT at 300 K from a test-set AIMD frame."""
    start = next(r for r in mlearn_records("test") if r["group"] == "AIMD-NVT" and "at 300 K" in r["description"])
    atoms = record_atoms(start)
    atoms.calc = None
    for name, model in journey.models.items():
        numbers = lmp_ranks_and_ase_agree(journey.root / f"nvt_{name}", atoms, ["Mo"], f"ptmlp {model}", model,
                                          journey.size.nvt_steps, 300.0)
        journey.record(f"lmp vs ASE ({name})", numbers)


def test_elastic_constants_against_dft(journey):
    """C11, C12, C44 of bcc Mo at 0 K by ptmlp elastic against the set's own DFT Elastic frames.

    DFT: stress-strain slope over |strain| <= 0.02 (journey_helpers.elastic_constants_GPa): C11
    479.4, C12 163.6, C44 109.3 GPa (other fit windows, |e| <= 0.04 .. 0.1 and polynomial degrees
    1-4: 476.6-483.6, 161.4-164.6, 106.5-110.2 GPa). The difference splits into the model's own
    error (the same recipe on the model's stresses of the same DFT frames, "model_on_dft_frames")
    and the workflow's (ptmlp elastic relaxes to P = 0 and strains by 0.5 and 1 %); the latter must
    be small for any model.

    Measured (full size, 2026-12-08): with virials C11/C12/C44 = 510.3/183.8/123.0 GPa (DFT 479.4/
    163.6/109.3; the model on the DFT frames 505.6/184.8/122.2); without virials 550.2/279.9/131.0
    (on the DFT frames 556.8/283.6/133.5): the model trained without virials misses C12 by 116 GPa
    because its stresses are never fitted (at 1 % strain the elastic energy, ~2 meV/atom, is below
    its energy RMSE, ~10 meV/atom), so only the model trained with virials is held to
    FULL.elastic_tolerance_GPa; the workflow's part (ptmlp elastic vs the same model on the DFT
    frames: <= 6.6 GPa, from relaxing to the model's own P = 0 volume) is held to
    FULL.elastic_workflow_tolerance_GPa for both, and ptmlp elastic warns for the no-virials model."""
    records = mlearn_records("training") + mlearn_records("test")
    dft = elastic_constants_GPa(records)
    rows = {}
    for name, model in journey.models.items():
        (journey.root / f"elastic_{name}.yaml").write_text(
            f"structure: {{name: Mo, crystalstructure: bcc, a_A: 3.1676}}\npotential: {{model: {model}}}\n"
            f"outdir: elastic_{name}\n")
        timed(journey, f"elastic {name}", "elastic", f"elastic_{name}.yaml")
        state = read_json(journey.root / f"elastic_{name}" / "summary.json")["states"][0]
        assert any("trained without virials" in w for w in state["warnings"]) == (name == "no_virials")
        c, err = state["independent_constants_GPa"], state["independent_constants_err_GPa"]
        direct = elastic_constants_GPa(records, model_stress_GPa(model))
        rows[name] = {k: {"model_GPa": c[k], "model_err_GPa": err[k], "model_on_dft_frames_GPa": direct[k][0],
                          "dft_GPa": dft[k][0], "dft_spread_GPa": dft[k][1], "diff_GPa": c[k] - dft[k][0]}
                      for k in ("C11", "C12", "C44")}
        rows[name]["volume_A3_per_atom"] = state["volume_A3"] / state["n_atoms"]
    journey.record("elastic constants", rows)
    print(json.dumps(rows, indent=1))
    for name, row in rows.items():
        for k in ("C11", "C12", "C44"):
            workflow_part = row[k]["model_GPa"] - row[k]["model_on_dft_frames_GPa"]
            assert abs(workflow_part) < journey.size.elastic_workflow_tolerance_GPa, (name, k, row[k])
    for k, tol in journey.size.elastic_tolerance_GPa.items():
        assert abs(rows["virials"][k]["diff_GPa"]) < tol, ("virials", k, rows["virials"][k])


def test_short_melt_finishes(journey, plugin_built):
    """ptmlp melt at 20 GPa (inside the training pressures) finishes with a strict-JSON summary."""
    model = journey.models["virials"]
    cfg = {"structure": {"name": "Mo", "crystalstructure": "bcc", "a_A": 3.12}, "potential": {"model": str(model)},
           "method": "bracket", "pressures_GPa": [20.0], "seeds": [1], "workdir": "melt_run", **journey.size.melt}
    (journey.root / "melt.yaml").write_text(json.dumps(cfg))  # JSON is YAML
    timed(journey, "melt", "melt", "melt.yaml")
    summary = read_json(journey.root / "melt_run" / "summary.json")  # strict: NaN/Infinity refused
    r = summary["pressures"][0]
    journey.record("melt", {k: r[k] for k in ("pressure_GPa", "pressure_err_GPa", "T_melt_K", "T_melt_err_K",
                                              "T_melt_stat_err_K", "T_melt_sys_err_K", "bracket_K", "n_atoms",
                                              "note") if k in r}
                   | {"verdicts": {t["T_K"]: t["verdict"] for t in r["temperatures"]}})
    assert summary["errors"] == []
    lo, hi = journey.size.melt["bracket"]["T_low_K"], journey.size.melt["bracket"]["T_high_K"]
    assert lo <= r["T_melt_K"] <= hi and r["T_melt_err_K"] > 0


def test_short_transport_run_and_diffusion(journey, plugin_built):
    """ptmlp transport run (msd template) of liquid Mo at the training density, then ptmlp
    transport diffusion: both finish with strict-JSON summaries and a positive D."""
    model = journey.models["virials"]
    cfg = {"template": "msd", "potential": {"model": str(model)},
           "structure": {"name": "Mo", "crystalstructure": "bcc", "a_A": 3.15, "repeat": [3, 3, 3]},
           "n_runs": 1, "workdir": "transport_runs",
           "variables": {"T": 5000, "dt": 0.002, "T_melt": 7000, **journey.size.transport_steps}}
    (journey.root / "transport.yaml").write_text(json.dumps(cfg))
    timed(journey, "transport run", "transport", "run", "transport.yaml")
    run_summary = read_json(journey.root / "transport_runs" / "summary.json")
    timed(journey, "transport diffusion", "transport", "diffusion", "transport_runs/run_000", "--out", "diffusion")
    d = read_json(journey.root / "diffusion" / "summary.json")
    journey.record("transport", {"temperature_K": run_summary["temperature_K"],
                                 "temperature_err_K": run_summary["temperature_err_K"],
                                 "D_Mo_m2_per_s": d["D_Mo_m2_per_s"], "D_Mo_m2_per_s_err": d["D_Mo_m2_per_s_err"],
                                 "warnings": d["warnings"]})
    assert d["D_Mo_m2_per_s"] > 0 and d["D_Mo_m2_per_s_err"] > 0
    print(json.dumps(journey.numbers, indent=1))
