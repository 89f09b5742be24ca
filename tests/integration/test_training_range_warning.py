"""pair_style ptmlp warns once (rank 0, with the values) when the virial pressure, the shortest
pair distance or the neighbour count leaves what the model's metadata says training saw (#19).

bcc Fe at V/V0 = 0.4 runs at ~1300 GPa with the demo model trained at -6.8 ... 90.4 GPa."""

from __future__ import annotations

import json
import re

import pytest
import torch

from ptmlp.demo import DEMO_MODEL
from ptmlp.metadata import METADATA_FILE, read_model_metadata
from ptmlp.thermo import read_thermo

from conftest import run_lmp
from lammps_compare import bcc_fe_input

A0_A = 2.855  # bcc Fe lattice parameter of the Mendelev EAM the demo model was fitted to
MD = """
velocity all create 300 4928459 loop geom
fix nve all nve
timestep 0.0005
thermo 1
thermo_style custom step temp pe press
thermo_modify format float %.10g
run {steps}
"""


def fe(a_A: float, model, steps: int) -> str:
    return bcc_fe_input(model, after_pair=MD.format(steps=steps), a_A=a_A)


def warnings_of(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("WARNING") and "outside the training data" in ln]


def demo_with_ranges(path, **training):
    """The demo model with extra keys in its metadata's training block."""
    meta = read_model_metadata(DEMO_MODEL)
    meta["training"].update(training)
    torch.jit.save(torch.jit.load(str(DEMO_MODEL)), str(path), _extra_files={METADATA_FILE: json.dumps(meta)})
    return path


@pytest.mark.parametrize("nprocs", [1, 2])
def test_compressed_fe_warns_once_with_the_pressure(tmp_path, nprocs, plugin_built):
    a = A0_A * 0.4 ** (1 / 3)
    proc = run_lmp(tmp_path, fe(a, DEMO_MODEL, 5), nprocs=nprocs)
    warned = warnings_of(proc.stdout)
    assert len(warned) == 1, proc.stdout[-3000:]
    m = re.search(r"at step 0 the configuration is outside the training data of model \S+fe_demo.pt: "
                  r"virial pressure (\S+) GPa \(trained -6.845 to 90.38 GPa\); results are extrapolated", warned[0])
    assert m, warned[0]
    # the demo model records no distance or neighbour range: only the pressure is checked
    assert "shortest pair" not in warned[0] and "neighbours" not in warned[0]
    p_thermo_GPa = read_thermo(tmp_path / "log.lammps")["Press"][0] * 1e-4  # + a 300 K kinetic part
    print(f"bcc Fe at V/V0 = 0.4: warned {m.group(1)} GPa, thermo {p_thermo_GPa:.1f} GPa")
    assert float(m.group(1)) > 1000 and float(m.group(1)) == pytest.approx(p_thermo_GPa, rel=2e-3)


def test_equilibrium_fe_does_not_warn(tmp_path, plugin_built):
    model = demo_with_ranges(tmp_path / "m.pt", min_pair_distance_A=2.2, neighbours_per_atom_range=[50, 70])
    proc = run_lmp(tmp_path, fe(A0_A, model, 5))
    assert not warnings_of(proc.stdout) and "WARNING" not in proc.stdout, proc.stdout[-2000:]


def test_all_recorded_quantities_in_one_warning(tmp_path, plugin_built):
    """bcc at a = 2.855 angstrom has 58 neighbours within 5 angstrom and its shortest pair at 2.47;
    at V/V0 = 0.4 the shortest pair is 1.82 angstrom and the count far above 70."""
    model = demo_with_ranges(tmp_path / "m.pt", min_pair_distance_A=2.2, neighbours_per_atom_range=[50, 70])
    a = A0_A * 0.4 ** (1 / 3)
    proc = run_lmp(tmp_path, fe(a, "m.pt", 20))
    warned = warnings_of(proc.stdout)
    assert len(warned) == 1, proc.stdout[-3000:]
    assert "virial pressure" in warned[0] and "(trained -6.845 to 90.38 GPa)" in warned[0]
    d = a * 3 ** 0.5 / 2
    assert f"shortest pair distance {d:.4g} angstrom (trained >= 2.2 angstrom)" in warned[0], warned[0]
    m = re.search(r"neighbours per atom within r_cut (\d+) to (\d+) \(trained 50 to 70\)", warned[0])
    assert m and int(m.group(1)) > 70, warned[0]
