"""Every JSON document that ships with ptmlp is strict JSON (no NaN/Infinity), and so is the
metadata inside every shipped model file (issue #18: one strict results writer)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ptmlp
from ptmlp.jsonfile import read_json
from ptmlp.metadata import read_model_metadata

PACKAGE = Path(ptmlp.__file__).resolve().parent


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.json")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_shipped_json_is_strict(path):
    read_json(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "demo").glob("*.pt")), ids=lambda p: p.name)
def test_shipped_model_metadata_is_strict(path):
    meta = read_model_metadata(path)
    assert meta["format_version"] == 1
