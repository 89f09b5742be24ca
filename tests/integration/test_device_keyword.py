"""`pair_style ptmlp ... device cpu|cuda|auto [share]` on a machine without a GPU (#22): every form
runs (or stops with one line, see test_bad_input.py), the log says where each rank evaluates with
one line per node, and the rule "more ranks than GPUs only with share" is exercised with
PTMLP_TEST_FAKE_GPUS, which makes the placement logic see n GPUs while evaluation stays on the CPU."""

from __future__ import annotations

import re

import pytest

from ptmlp.demo import DEMO_MODEL

from conftest import run_lmp
from lammps_compare import bcc_fe_input

RUN = "thermo_style custom step pe press\nthermo_modify format float %.15g\nrun 0"


def pe(out: str) -> float:
    rows = re.findall(r"^\s+0\s+(\S+)\s+\S+\s*$", out, re.M)
    assert rows, out[-2000:]
    return float(rows[-1])


def node_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if re.match(r"pair_style ptmlp: node \S+: ", ln)]


@pytest.mark.parametrize("words", ["", "device cpu", "device auto", "device share", "device auto share"])
def test_every_form_runs_on_the_cpu(tmp_path, plugin_built, reference_pe, words):
    """Without the keyword the choice is what it was before it existed (a GPU when libtorch sees one,
    else the CPU); here every form runs on the CPU with the same energy."""
    out = run_lmp(tmp_path, bcc_fe_input(f"{DEMO_MODEL} {words}", cells=2, after_pair=RUN)).stdout
    lines = node_lines(out)
    assert len(lines) == 1 and lines[0].endswith(": 1 MPI rank(s) on the CPU"), out[-2000:]
    assert "rank 0 on CPU with" in out
    assert pe(out) == pytest.approx(reference_pe, abs=1e-9)


@pytest.fixture(scope="module")
def reference_pe(tmp_path_factory, plugin_built) -> float:
    work = tmp_path_factory.mktemp("reference")
    return pe(run_lmp(work, bcc_fe_input(DEMO_MODEL, cells=2, after_pair=RUN)).stdout)


def fake_gpu_run(tmp_path, words: str, gpus: int, nprocs: int = 3):
    return run_lmp(tmp_path, bcc_fe_input(f"{DEMO_MODEL} {words}", cells=2, after_pair=RUN), nprocs=nprocs,
                   check=False, env_extra={"PTMLP_TEST_FAKE_GPUS": str(gpus)})


def test_more_ranks_than_gpus_is_an_error(tmp_path, plugin_built):
    proc = fake_gpu_run(tmp_path, "device cuda", gpus=2)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    lines = node_lines(out)
    assert len(lines) == 1 and ": 3 MPI rank(s), 2 GPU(s) used, up to 2 rank(s) per GPU: " \
        "GPU fake-gpu-0 <- rank(s) 0 2; GPU fake-gpu-1 <- rank(s) 1" in lines[0], out[-3000:]
    errors = [ln for ln in out.splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1 and ("pair_style ptmlp device cuda: up to 2 MPI ranks share one GPU (see the node "
                                 "lines above); start one rank per GPU, or add share (device cuda share) if "
                                 "sharing is intended") in errors[0], out[-3000:]


@pytest.mark.parametrize("words", ["device cuda share", "device share"])
def test_share_allows_it(tmp_path, plugin_built, reference_pe, words):
    proc = fake_gpu_run(tmp_path, words, gpus=2)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "up to 2 rank(s) per GPU" in node_lines(out)[0]
    assert "share one GPU" not in out
    assert pe(out) == pytest.approx(reference_pe, abs=1e-9)


def test_no_keyword_warns_when_ranks_share(tmp_path, plugin_built):
    """Unchanged default: ranks sharing a GPU still run, with one warning naming the keyword."""
    proc = fake_gpu_run(tmp_path, "", gpus=1)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "GPU fake-gpu-0 <- rank(s) 0 1 2" in node_lines(out)[0]
    warned = [ln for ln in out.splitlines() if ln.startswith("WARNING") and "share one GPU" in ln]
    assert len(warned) == 1 and "add 'device cuda share' to say it is intended" in warned[0]


def test_one_rank_per_gpu_and_device_cpu(tmp_path, plugin_built):
    """As many GPUs as ranks: no complaint; `device cpu` ignores the GPUs."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    out = fake_gpu_run(tmp_path / "a", "device cuda", gpus=3).stdout
    assert "up to 1 rank(s) per GPU" in node_lines(out)[0] and "share one GPU" not in out
    assert "rank 0 on CPU (placement test: fake GPU 0 of 3, PTMLP_TEST_FAKE_GPUS)" in out
    out = fake_gpu_run(tmp_path / "b", "device cpu", gpus=3).stdout
    assert node_lines(out)[0].endswith(": 3 MPI rank(s) on the CPU"), out[-2000:]
