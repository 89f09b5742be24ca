"""Config files and the ``ptmlp transport`` command line: unknown keys and wrong types are
refused with one line, flags override the file, user errors exit 2 without a traceback."""

import subprocess
import sys

import pytest

from ptmlp.errors import InputError
from ptmlp.transport.config import load_config, merged, validate


def test_unknown_key_is_refused(tmp_path):
    cfg = tmp_path / "k.yaml"
    cfg.write_text("method: green-kubo\nmax_corelation_time_ps: 5\n")
    with pytest.raises(InputError, match=r"unknown key\(s\) max_corelation_time_ps for 'transport kappa'"):
        load_config(cfg, "kappa")


@pytest.mark.parametrize("data, msg", [
    ({"method": "magic"}, "'method' must be one of green-kubo, nemd"),
    ({"max_correlation_time_ps": "long"}, "'max_correlation_time_ps' must be float"),
    ({"decorrelate": "yes please"}, "'decorrelate' must be bool"),
    ({"cutoff": "plateau"}, "cutoff must be 'noise', 'first-zero' or a time in ps"),
])
def test_wrong_values_are_refused(data, msg):
    with pytest.raises(InputError, match=msg):
        validate(data, "kappa")


def test_flags_override_config(tmp_path):
    cfg = tmp_path / "v.yaml"
    cfg.write_text("inputs: [a, b]\ncutoff: 2.5\nhelfand_fit_ps: [2, 10]\n")
    opts = merged("viscosity", load_config(cfg, "viscosity"), validate({"cutoff": "noise"}, "viscosity"))
    assert opts["cutoff"] == "noise" and opts["inputs"] == ["a", "b"] and opts["helfand_fit_ps"] == (2.0, 10.0)
    assert opts["method"] == "green-kubo"  # default


def _ptmlp(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_cli_user_errors_are_one_line(tmp_path):
    p = _ptmlp("kappa", "missing_heatflux.dat", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "Traceback" not in p.stderr
    assert "missing_heatflux.dat" in p.stderr and "no such file" in p.stderr
    cfg = tmp_path / "c.yaml"
    cfg.write_text("inputs: [x]\ncolour: blue\n")
    p = _ptmlp("diffusion", "--config", str(cfg), cwd=tmp_path)
    assert p.returncode == 2 and "unknown key(s) colour" in p.stderr
    p = _ptmlp("conductivity", "somewhere", cwd=tmp_path)
    assert p.returncode == 2 and "formal charges" in p.stderr
