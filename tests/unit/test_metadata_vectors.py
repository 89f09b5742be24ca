"""The Python and C++ metadata validators accept exactly the same files, with the same messages.

Every shared vector in tests/data/metadata_vectors/ goes through ``ptmlp.metadata.parse_metadata``
and through ``cpp/metadata.cpp`` (the ``ptmlp_metadata_check`` tool CMake builds beside the plugin);
tests/integration/test_metadata_vectors_lmp.py sends some of them through the real ``lmp``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ptmlp.errors import ModelFileError
from ptmlp.lammps_plugin import plugin_dir
from ptmlp.metadata import parse_metadata

VECTORS = Path(__file__).resolve().parents[1] / "data" / "metadata_vectors"
EXPECTED = json.loads((VECTORS / "expected.json").read_text())
NAMES = sorted(EXPECTED)


def python_verdict(path: Path) -> str:
    try:
        parse_metadata(path.read_bytes(), str(path))
    except ModelFileError as exc:
        return f"ERROR {exc}"
    return f"OK {path}"


@pytest.fixture(scope="module")
def cpp_verdicts() -> dict[str, str]:
    tool = Path(plugin_dir()) / "ptmlp_metadata_check"
    if not tool.exists():
        pytest.fail(f"{tool} missing: run `make plugin` (CMake builds it with the plugin)")
    proc = subprocess.run([str(tool)] + [str(VECTORS / n) for n in NAMES], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    lines = proc.stdout.decode("utf-8").splitlines()  # messages must be valid UTF-8 (no raw bytes echoed)
    assert len(lines) == len(NAMES), lines
    return dict(zip(NAMES, lines))


def test_every_vector_is_listed():
    on_disk = {p.name for p in VECTORS.glob("*.json")} - {"expected.json"}
    assert on_disk == set(EXPECTED)
    verdicts = [e["verdict"] for e in EXPECTED.values()]
    assert verdicts.count("ok") >= 8 and verdicts.count("error") >= 40


@pytest.mark.parametrize("name", NAMES)
def test_python_validator(name):
    expected, got = EXPECTED[name], python_verdict(VECTORS / name)
    if expected["verdict"] == "ok":
        assert got.startswith("OK "), got
    else:
        assert got.startswith("ERROR ") and expected["message"] in got, got
        assert f"model file {VECTORS / name}: " in got and "\n" not in got


@pytest.mark.parametrize("name", NAMES)
def test_cpp_validator_agrees(name, cpp_verdicts):
    expected, got = EXPECTED[name], cpp_verdicts[name]
    if expected["verdict"] == "ok":
        assert got == f"OK {VECTORS / name}"
        return
    assert got.startswith("ERROR ") and expected["message"] in got, got
    if expected.get("same_message", True):
        assert got == python_verdict(VECTORS / name)  # word for word
