"""A user's own finite-T_e DFT data end to end through ``pair_style ptmlp/tel``: the Al GPAW demo
labels (python/ptmlp/demo/al_tel_data.h5; recipe python -m ptmlp.demo.regenerate_tel: 4-atom fcc
cells, LDA, Fermi-Dirac at T_e = 1000, 4000, 8000 K, free energies) as a user has them:

    ptmlp data export -> extxyz (te_K and group per frame) -> ptmlp data import: the same frames
    -> ptmlp data split (grouped by geometry: the shipped demo split again)
    -> ptmlp train with T_e -> ptmlp test on the held-out geometries
    -> lmp NVT with `tel 6000` and with `tel c_thermo_temp`, on 1 and 2 ranks, and the final frame
       through PtmlpCalculator(te_K = the T_e the pair style used): agree to round-off.

``small`` (default suite) trains a few epochs; ``full`` (``-m slow``) trains as the demo recipe
does and checks the free-energy change with T_e on held-out geometries against DFT.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.calculator import PtmlpCalculator
from ptmlp.data.splits import load_split
from ptmlp.data.store import Dataset
from ptmlp.demo.regenerate_tel import TEL_DATA, TEL_SPLIT
from ptmlp.jsonfile import read_json, write_json

from journey_helpers import journey_dir, lmp_ranks_and_ase_agree, ptmlp

SIZES = {
    "small": {"epochs": 20, "nvt_steps": 20},
    "full": {"epochs": 150, "nvt_steps": 200},
}
MODEL = "{r_cut: 4.5, n_radial: 6, n_channels: 6, l_max: 2, hidden_widths: [32, 32], electronic_temperature: true}"


@pytest.fixture(scope="module", params=["small", pytest.param("full", marks=pytest.mark.slow)])
def journey(request, tmp_path_factory) -> dict:
    size = request.param
    root = journey_dir(tmp_path_factory, f"journey_tel_{size}")
    report = root / f"journey_tel_{size}.json"  # a kept folder: add to what earlier runs measured
    j = {"size": size, "root": root, "numbers": read_json(report) if report.exists() else {"size": size, "wall_s": {}}}

    def step(label, *args):
        t0 = time.monotonic()
        out = ptmlp(*args, cwd=root).stdout
        j["numbers"]["wall_s"][label] = round(time.monotonic() - t0, 1)
        return out

    j["step"] = step
    j["model"] = root / "run" / "member_0" / "model.pt"
    if j["model"].exists():  # a kept $PTMLP_JOURNEY_DIR
        return j
    for name in ("al_tel.extxyz", "al.h5", "split.json"):
        (root / name).unlink(missing_ok=True)
    step("export extxyz", "data", "export", TEL_DATA, "-o", "al_tel.extxyz")
    step("import extxyz", "data", "import", "al_tel.extxyz", "-o", "al.h5")
    step("split", "data", "split", "al.h5", "-o", "split.json", "--fractions", "0.7", "0.1", "0.2", "--seed", "0")
    (root / "train.yaml").write_text(
        f"dataset: al.h5\noutput_dir: run\nsplit: split.json\nmodel: {MODEL}\n"
        f"training: {{epochs: {SIZES[size]['epochs']}, batch_frames: 4, lr: 0.005, lr_final: 0.0001, "
        "early_stopping_patience_epochs: null}\n")
    step("train", "train", "train.yaml")
    return j


def record(j: dict, key: str, value) -> None:
    j["numbers"][key] = value
    write_json(j["root"] / f"journey_tel_{j['size']}.json", j["numbers"])


def test_export_import_round_trip_and_split(journey):
    """extxyz keeps every label, T_e and group: the imported frames are the shipped ones (positions
    and forces to extxyz's 8 decimals), and the grouped split of the import is the shipped split."""
    a, b = Dataset(TEL_DATA).read(), Dataset(journey["root"] / "al.h5").read()
    assert len(a) == len(b) == 108
    assert [f.te_K for f in a] == [f.te_K for f in b] and [f.group for f in a] == [f.group for f in b]
    assert [f.energy_eV for f in a] == [f.energy_eV for f in b]  # eV: written with 17 digits
    assert max(np.abs(x.forces_eV_per_A - y.forces_eV_per_A).max() for x, y in zip(a, b)) < 1e-8  # eV/A
    assert max(np.abs(x.virial_eV - y.virial_eV).max() for x, y in zip(a, b)) < 1e-9  # eV
    assert max(np.abs(x.atoms.positions - y.atoms.positions).max() for x, y in zip(a, b)) < 1e-8  # A
    assert load_split(journey["root"] / "split.json") == load_split(TEL_SPLIT)
    refused = ptmlp("data", "export", "al.h5", "-o", "npy", "--format", "deepmd/npy", cwd=journey["root"],
                    check=False)
    assert refused.returncode == 2 and refused.stderr.strip() == (
        "ptmlp data: error: frame 0 has T_e = 1000 K and deepmd/npy has no electronic-temperature field: "
        "export as extxyz (te_K per frame)")
    assert not (journey["root"] / "npy").exists()


def test_model_on_held_out_geometries(journey):
    """ptmlp test on the test geometries (all T_e); the free-energy change 1000 -> 8000 K per
    geometry against DFT (full size: within 10 %, as the shipped demo model)."""
    journey["step"]("test", "test", journey["model"], "al.h5", "--split", "split.json", "-o", "test_out")
    s = read_json(journey["root"] / "test_out" / "test_summary.json")
    split = load_split(journey["root"] / "split.json")
    frames = Dataset(journey["root"] / "al.h5").read(split["test"])
    by_geo: dict[str, dict] = {}
    for f in frames:
        by_geo.setdefault(f.group, {})[f.te_K] = f
    rel = []
    for geo, fr in sorted(by_geo.items()):
        model = {}
        for te in (1000.0, 8000.0):
            a = fr[te].atoms.copy()
            a.calc = PtmlpCalculator(journey["model"], te_K=te)
            model[te] = a.get_potential_energy()
        d_dft = fr[8000.0].energy_eV - fr[1000.0].energy_eV
        rel.append((model[8000.0] - model[1000.0] - d_dft) / d_dft)
    row = {k: s[k] for k in ("n_frames", "energy_rmse_meV_per_atom", "force_rmse_meV_per_A",
                             "virial_rmse_meV_per_atom")}
    row["dF_1000_to_8000K_max_rel_error"] = float(np.abs(rel).max())
    record(journey, "test set errors", row)
    print(json.dumps(row, indent=1))
    assert s["n_frames"] == 21 and all(math.isfinite(v) for v in row.values())
    if journey["size"] == "full":
        assert row["dF_1000_to_8000K_max_rel_error"] < 0.10


@pytest.mark.parametrize("tel, T_K", [("6000", 1200.0), ("c_thermo_temp", 4000.0)])
def test_lammps_1_and_2_ranks_and_ase_agree(journey, plugin_built, tel, T_K):
    """pair_style ptmlp/tel with T_e fixed and T_e = the ionic temperature: 1 and 2 ranks and the
    calculator at the T_e the pair style used (compute ptmlp/tel/entropy, second column)."""
    atoms = bulk("Al", "fcc", a=3.85, cubic=True).repeat(3)
    atoms.rattle(0.05, seed=3)
    model = journey["model"]
    numbers = lmp_ranks_and_ase_agree(journey["root"] / f"nvt_{tel}", atoms, ["Al"],
                                      f"ptmlp/tel {model} tel {tel}", model, SIZES[journey["size"]]["nvt_steps"],
                                      T_K, te_column="c_S[2]", computes="compute S all ptmlp/tel/entropy")
    if tel == "6000":
        assert numbers["te_K_final"] == 6000.0
    else:  # T_e follows the ions: the last force call used the ionic temperature of that (half) step
        assert abs(numbers["te_K_final"] - numbers["final_T_K"]) < 0.1 * numbers["final_T_K"]
    record(journey, f"lmp vs ASE (tel {tel})", numbers)
