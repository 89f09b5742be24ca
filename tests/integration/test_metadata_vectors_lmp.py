"""Shared metadata vectors packed into a real model file and loaded by the real `lmp`.

tests/unit/test_metadata_vectors.py runs every vector through both validators; here a few go the
whole way (TorchScript zip -> libtorch extra file -> cpp/metadata.cpp inside the plugin), so the
tool and the plugin are known to read the same bytes the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from ptmlp.demo import DEMO_MODEL
from ptmlp.metadata import METADATA_FILE

from conftest import run_lmp
from lammps_compare import bcc_fe_input

VECTORS = Path(__file__).resolve().parents[1] / "data" / "metadata_vectors"
EXPECTED = json.loads((VECTORS / "expected.json").read_text())

def pack(vector: str, dst: Path) -> Path:
    """The demo model's TorchScript with the vector's bytes as its metadata.json."""
    module = torch.jit.load(str(DEMO_MODEL))
    torch.jit.save(module, str(dst), _extra_files={METADATA_FILE: (VECTORS / vector).read_bytes()})
    return dst


@pytest.mark.parametrize("vector", [
    "ok_null_metrics.json", "ok_training_ranges.json", "ok_bom.json", "nan_token.json",
    "format_version_float.json", "repeated_key.json", "training_pressure_reversed.json", "invalid_utf8.json",
])
def test_vector_through_lmp(tmp_path, vector, plugin_built):
    pack(vector, tmp_path / "m.pt")
    proc = run_lmp(tmp_path, bcc_fe_input("m.pt", cells=2), check=False)
    text = proc.stdout + proc.stderr
    errors = [ln for ln in text.splitlines() if ln.startswith("ERROR")]
    expected = EXPECTED[vector]
    if expected["verdict"] == "ok":
        assert proc.returncode == 0 and not errors, text[-2000:]
        assert "pair_style ptmlp: 1 model(s), species Fe, r_cut 5 angstrom" in text
    else:
        assert proc.returncode != 0 and len(errors) == 1, text[-2000:]
        assert "model file m.pt: " in errors[0] and expected["message"] in errors[0], errors[0]
        assert "frame #" not in text and "terminate called" not in text
