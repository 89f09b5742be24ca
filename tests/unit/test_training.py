"""Training: bit-for-bit resume, task weighting modes, early stopping, strict configs, ensembles."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase.build import bulk
from ase.calculators.emt import EMT

from ptmlp.config import ConfigError, validate_config
from ptmlp.data.frame import Frame
from ptmlp.data.store import Dataset
from ptmlp.models import ModelConfig, build_model
from ptmlp.training.config import RunConfig, TrainConfig
from ptmlp.training.run import train_from_config
from ptmlp.training.trainer import Trainer


@pytest.fixture(scope="module")
def emt_frames():
    rng = np.random.default_rng(0)
    frames = []
    for k in range(14):
        a = bulk("Al", "fcc", a=4.05 - 0.02 * (k % 3), cubic=True)
        a.rattle(0.1, seed=int(rng.integers(1 << 30)))
        a.calc = EMT()
        a.get_forces(), a.get_stress()
        frames.append(Frame.from_atoms(a, group=f"g{k % 7}"))
    return frames


def small_model(seed=0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(type_names=["Al"], r_cut=4.0, n_radial=4, n_channels=4, l_max=2,
                                   hidden_widths=[8]))


def quiet(_):
    pass


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("weighting", ["fixed", "gradnorm"])
def test_resume_is_bit_for_bit(tmp_path, emt_frames, weighting):
    cfg = TrainConfig(epochs=3, batch_frames=2, weighting=weighting, checkpoint_every_steps=3,
                      gradnorm_every_steps=1)
    straight = small_model()
    Trainer(straight, emt_frames[:10], emt_frames[10:], cfg, log=quiet).run()
    ck = str(tmp_path / "ck.pt")
    first = Trainer(small_model(), emt_frames[:10], emt_frames[10:], cfg, checkpoint_path=ck, log=quiet)
    real_step, calls = first._step, [0]

    def dying_step(*args):
        calls[0] += 1
        if calls[0] == 8:  # mid-epoch 2, between checkpoints
            raise Interrupt()
        return real_step(*args)

    first._step = dying_step
    with pytest.raises(Interrupt):
        first.run()
    resumed = small_model(seed=123)  # different init: everything must come from the checkpoint
    Trainer(resumed, emt_frames[:10], emt_frames[10:], cfg, checkpoint_path=ck, log=quiet).run(resume=True)
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), name


def test_weighting_modes(emt_frames):
    cfg = TrainConfig(epochs=2, batch_frames=2, weighting="gradnorm", gradnorm_every_steps=1)
    t = Trainer(small_model(), emt_frames[:10], emt_frames[10:], cfg, log=quiet)
    t.run()
    w = t.weights.current(cfg.lr)
    assert not torch.allclose(w, torch.ones(3, dtype=w.dtype))  # GradNorm moved the weights
    assert float(w.sum()) == pytest.approx(3.0)  # renormalised to the number of tasks
    ramp = TrainConfig(weighting="ramp")
    tr = Trainer(small_model(), emt_frames[:4], emt_frames[4:6], ramp, log=quiet)
    w0, w_end = tr.weights.current(ramp.lr), tr.weights.current(ramp.lr_final)
    assert float(w0[1]) == pytest.approx(1000.0) and float(w_end[1]) == pytest.approx(1.0 + 999.0 * 0.01)


def test_early_stopping(emt_frames):
    cfg = TrainConfig(epochs=50, batch_frames=2, lr=1e-12, lr_final=1e-12, early_stopping_patience_epochs=2)
    result = Trainer(small_model(), emt_frames[:6], emt_frames[6:8], cfg, log=quiet).run()
    assert "early stopping" in result["stopped"] and len(result["history"]) < 10


def test_config_rejects_unknown_keys(tmp_path):
    (tmp_path / "d.h5").write_bytes(b"")
    with pytest.raises(ConfigError, match=r"^t.yaml: training.epoch: unknown key \(did you mean 'epochs'\?\)$"):
        validate_config(RunConfig, {"dataset": "d.h5", "training": {"epoch": 3}}, source="t.yaml", base_dir=tmp_path)
    with pytest.raises(ConfigError, match="training.weighting = 'magic' .*: expected one of 'fixed', 'ramp', 'gradnorm'"):
        validate_config(RunConfig, {"dataset": "d.h5", "training": {"weighting": "magic"}}, source="t.yaml",
                        base_dir=tmp_path)


def test_ensemble_members_differ(tmp_path, emt_frames):
    ds = Dataset.create(tmp_path / "d.h5")
    ds.append(emt_frames)
    cfg = validate_config(RunConfig, {"dataset": str(tmp_path / "d.h5"), "output_dir": str(tmp_path / "run"),
                                      "ensemble": 2, "bootstrap": True,
                                      "model": {"r_cut": 4.0, "n_radial": 4, "n_channels": 4, "l_max": 2,
                                                "hidden_widths": [8]},
                                      "training": {"epochs": 2, "batch_frames": 4}})
    summary = train_from_config(cfg, log=quiet)
    assert len(summary["members"]) == 2
    from ptmlp.calculator import PtmlpCalculator

    a = emt_frames[0].atoms.copy()
    forces = []
    for m in summary["members"]:
        a.calc = PtmlpCalculator(m["model"])
        forces.append(a.get_forces())
    assert np.abs(forces[0] - forces[1]).max() > 1e-4  # eV/A: members are not copies
    assert (tmp_path / "run" / "split.json").exists() and (tmp_path / "run" / "train_summary.json").exists()
