"""Regenerate the shared metadata test vectors: ``python tests/data/metadata_vectors/make_vectors.py``.

Each ``*.json`` here is a metadata.json text exactly as it would sit in a model file (some are
deliberately not JSON); ``expected.json`` (not a vector) gives, per file, the verdict ("ok" or "error") and a
substring of the one-line message. ``same_message: false`` marks texts where the two JSON parsers
word the detail differently (the verdict and the substring still agree). Both validators run every
vector: Python ``ptmlp.metadata.parse_metadata`` and C++ ``cpp/metadata.cpp`` (through the
``ptmlp_metadata_check`` tool and, for some, the real ``lmp``): tests/unit/test_metadata_vectors.py.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASE = {"format_version": 1, "type_names": ["Fe"], "r_cut": 5.0, "dtype": "float64", "energy_unit": "eV",
        "length_unit": "angstrom", "electronic_temperature": None, "architecture": {"name": "ptmlp_v1"},
        "training": {"pressure_range_GPa": [-6.8, 90.4], "created": "2026-11-22T10:25:01+00:00"}}
TE = {"unit": "K", "per_atom": False, "train_range": [1000.0, 8000.0]}


def doc(**changes) -> dict:
    """BASE with top-level keys replaced; a value of ... deletes the key."""
    out = json.loads(json.dumps(BASE))
    for k, v in changes.items():
        if v is ...:
            out.pop(k)
        else:
            out[k] = v
    return out


def training(**keys) -> dict:
    return dict(BASE["training"], **keys)


def text(d: dict) -> str:
    return json.dumps(d, indent=1)


OK = None
# name: (text or bytes, expected message substring or OK, same_message)
VECTORS = {
    "ok_v1": (text(doc(notes="extra keys are kept")), OK, True),
    "ok_int_r_cut": (text(doc(r_cut=5)), OK, True),
    "ok_no_training": (text(doc(training=...)), OK, True),
    "ok_training_null": (text(doc(training=None)), OK, True),
    "ok_null_metrics": (text(doc(training=training(
        pressure_range_GPa=None, min_pair_distance_A=None, neighbours_per_atom_range=None,
        validation={"energy_rmse_meV_per_atom": None, "force_rmse_meV_per_A": None, "epoch": 3}))), OK, True),
    "ok_training_ranges": (text(doc(training=training(min_pair_distance_A=1.9,
                                                      neighbours_per_atom_range=[12, 15]))), OK, True),
    "ok_te": (text(doc(electronic_temperature=TE)), OK, True),
    "ok_bom": (b"\xef\xbb\xbf" + text(doc()).encode(), OK, True),
    "ok_unicode_note": (text(doc(notes="Fe \u00e0 330 GPa, T\u2091 = 6000 K")), OK, True),
    "empty": (" \n\t", "has no metadata.json; export it with ptmlp.export.export_model", True),
    "syntax_truncated": ('{"format_version": 1, "type_names": [', "metadata.json is not valid JSON (", False),
    "syntax_trailing_comma": (text(doc())[:-2] + ",\n}", "metadata.json is not valid JSON (", False),
    "syntax_single_quotes": ("{'format_version': 1}", "metadata.json is not valid JSON (", False),
    "nan_token": (text(doc(training=training(validation={"force_rmse_meV_per_A": 1.0}))).replace("1.0", "NaN"),
                  "metadata.json is not valid JSON (NaN is not a JSON value; re-export the model "
                  "(NaN is written as null))", True),
    "infinity_token": (text(doc(training=training(pressure_range_GPa=[-1.5, 2.5]))).replace("-1.5", "-Infinity"),
                       "metadata.json is not valid JSON (-Infinity is not a JSON value", True),
    "number_overflow": (text(doc(r_cut=7.25)).replace("7.25", "1e400"),
                        "metadata.json is not valid JSON (number overflow parsing '1e400')", True),
    "integer_overflow": (text(doc(r_cut=7.25)).replace("7.25", "1" + "0" * 400),
                         "metadata.json is not valid JSON (number overflow parsing '1" + "0" * 36 + "...')", True),
    "invalid_utf8": (text(doc(notes="ab")).encode().replace(b'"ab"', b'"a\xffb"'),
                     "metadata.json is not valid JSON (", False),
    "lone_surrogate": (text(doc(notes="ab")).replace('"ab"', '"a\\ud800b"'),
                       "metadata.json is not valid JSON (", False),
    "repeated_key": (text(doc()).replace('"r_cut": 5.0,', '"r_cut": 5.0,\n "r_cut": 6.0,'),
                     'metadata.json repeats key "r_cut" (each key may appear once)', True),
    "repeated_nested_key": (text(doc(training={"created": "x", "seed": 1})).replace('"seed": 1', '"seed": 1, "seed": 2'),
                            'metadata.json repeats key "seed"', True),
    "not_object": ('[{"format_version": 1}]', "metadata.json must be a JSON object", True),
    "elf_model": (text(doc(model_kind="elf")), "is an ELF model", True),
    "missing_keys": (text(doc(r_cut=..., dtype=...)), "metadata.json lacks key(s) r_cut, dtype", True),
    "missing_te_key": (text(doc(electronic_temperature=...)), "lacks key(s) electronic_temperature", True),
    "format_version_float": (text(doc(format_version=1.0)),
                             "format_version 1.0 is not supported (this ptmlp reads 1); re-export", True),
    "format_version_string": (text(doc(format_version="1")), 'format_version "1" is not supported', True),
    "format_version_2": (text(doc(format_version=2)), "format_version 2 is not supported", True),
    "format_version_bool": (text(doc(format_version=True)), "format_version true is not supported", True),
    "format_version_huge": (text(doc(format_version=18446744073709551617)),
                            "is not supported (this ptmlp reads 1)", False),
    "type_names_empty": (text(doc(type_names=[])), "type_names [] must be a non-empty list of species names", True),
    "type_names_string": (text(doc(type_names="Fe")), 'type_names "Fe" must be a non-empty list', True),
    "type_names_blank": (text(doc(type_names=["Fe", ""])), 'type_names ["Fe",""] must be a non-empty list', True),
    "type_names_duplicate": (text(doc(type_names=["Fe", "Ni", "Fe"])),
                             'type_names ["Fe","Ni","Fe"] has duplicate "Fe"', True),
    "r_cut_negative": (text(doc(r_cut=-1)), "r_cut -1 must be a positive number (angstrom)", True),
    "r_cut_zero": (text(doc(r_cut=0.0)), "r_cut 0.0 must be a positive number (angstrom)", True),
    "r_cut_underflow": (text(doc(r_cut=7.25)).replace("7.25", "1e-400"), "r_cut 0.0 must be a positive number", True),
    "r_cut_string": (text(doc(r_cut="5.0")), 'r_cut "5.0" must be a positive number', True),
    "r_cut_bool": (text(doc(r_cut=True)), "r_cut true must be a positive number", True),
    "r_cut_null": (text(doc(r_cut=None)), "r_cut null must be a positive number", True),
    "dtype_float16": (text(doc(dtype="float16")), 'dtype "float16" must be float64 or float32', True),
    "energy_unit_kcal": (text(doc(energy_unit="kcal/mol")), 'energy_unit "kcal/mol" is not supported (expected eV)',
                         True),
    "length_unit_nm": (text(doc(length_unit="nm")), 'length_unit "nm" is not supported (expected angstrom)', True),
    "te_not_object": (text(doc(electronic_temperature="6000 K")),
                      'electronic_temperature "6000 K" must be null or an object', True),
    "te_unit_eV": (text(doc(electronic_temperature=dict(TE, unit="eV"))),
                   'electronic_temperature.unit "eV" is not supported (expected K)', True),
    "te_unit_missing": (text(doc(electronic_temperature={"per_atom": False, "train_range": [0, 1]})),
                        "electronic_temperature.unit null is not supported (expected K)", True),
    "te_per_atom_string": (text(doc(electronic_temperature=dict(TE, per_atom="no"))),
                           'electronic_temperature.per_atom "no" must be true or false', True),
    "te_per_atom_missing": (text(doc(electronic_temperature={"unit": "K", "train_range": [0, 1]})),
                            "electronic_temperature.per_atom null must be true or false", True),
    "te_range_reversed": (text(doc(electronic_temperature=dict(TE, train_range=[8000, 1000]))),
                          "electronic_temperature.train_range [8000,1000] must be [low_K, high_K] with "
                          "0 <= low_K <= high_K", True),
    "te_range_negative": (text(doc(electronic_temperature=dict(TE, train_range=[-10.0, 1000.0]))),
                          "electronic_temperature.train_range [-10.0,1000.0] must be", True),
    "te_range_three": (text(doc(electronic_temperature=dict(TE, train_range=[1, 2, 3]))),
                       "electronic_temperature.train_range [1,2,3] must be", True),
    "te_range_null_entry": (text(doc(electronic_temperature=dict(TE, train_range=[None, 1000.0]))),
                            "electronic_temperature.train_range [null,1000.0] must be", True),
    "training_not_object": (text(doc(training=["x"])), 'training ["x"] must be null or an object', True),
    "training_pressure_reversed": (text(doc(training=training(pressure_range_GPa=[90.4, -6.8]))),
                                   "training.pressure_range_GPa [90.4,-6.8] must be null or [low_GPa, high_GPa] "
                                   "with low_GPa <= high_GPa", True),
    "training_pressure_string": (text(doc(training=training(pressure_range_GPa="0-90"))),
                                 'training.pressure_range_GPa "0-90" must be null or', True),
    "training_pressure_null_entry": (text(doc(training=training(pressure_range_GPa=[None, 90.4]))),
                                     "training.pressure_range_GPa [null,90.4] must be null or", True),
    "training_min_distance_zero": (text(doc(training=training(min_pair_distance_A=0))),
                                   "training.min_pair_distance_A 0 must be null or a positive number (angstrom)",
                                   True),
    "training_min_distance_list": (text(doc(training=training(min_pair_distance_A=[1.9]))),
                                   "training.min_pair_distance_A [1.9] must be null or a positive number", True),
    "training_neighbours_float": (text(doc(training=training(neighbours_per_atom_range=[12.0, 15]))),
                                  "training.neighbours_per_atom_range [12.0,15] must be null or [min, max] "
                                  "neighbour counts (integers, 0 <= min <= max <= 1000000)", True),
    "training_neighbours_reversed": (text(doc(training=training(neighbours_per_atom_range=[15, 12]))),
                                     "training.neighbours_per_atom_range [15,12] must be null", True),
    "training_neighbours_negative": (text(doc(training=training(neighbours_per_atom_range=[-1, 12]))),
                                     "training.neighbours_per_atom_range [-1,12] must be null", True),
    "training_neighbours_huge": (text(doc(training=training(neighbours_per_atom_range=[1, 18446744073709551615]))),
                                 "training.neighbours_per_atom_range [1,18446744073709551615] must be null", True),
}


def main() -> None:
    for old in HERE.glob("*.json"):
        old.unlink()  # expected.json is rewritten below
    expected = {}
    for name, (body, message, same) in VECTORS.items():
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        (HERE / f"{name}.json").write_bytes(data)
        entry = {"verdict": "ok"} if message is None else {"verdict": "error", "message": message}
        if not same:
            entry["same_message"] = False
        expected[f"{name}.json"] = entry
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
