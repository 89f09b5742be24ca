"""The network: predictions invariant to atom order and to translations, export -> reload -> the same
predictions, unknown elements refused, and GradNorm weights moving as designed on two-task toys."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase.build import fcc100, fcc111

from ptmlp.errors import ModelFileError, SpeciesError
from ptmlp.surfaces.config import GraphSettings, ModelSettings
from ptmlp.surfaces.evaluation import predict_graphs
from ptmlp.surfaces.export import (build_network, check_species, export_surface_model, load_surface_model,
                                   network_from_file)
from ptmlp.surfaces.graph import build_graph
from ptmlp.training.weighting import GradNorm

TARGETS = ["surface_energy_eV_per_A2", "work_function_eV"]
SMALL = ModelSettings(embedding_dim=16, hidden_dim=24, conv_layers=2, gaussian_step_A=0.5)


def alloy_slab(seed=0):
    rng = np.random.default_rng(seed)
    slab = fcc100("Al", size=(3, 3, 5), a=4.05, vacuum=7.5, periodic=True)
    slab.numbers[rng.choice(len(slab), 15, replace=False)] = 12  # Mg
    slab.positions += rng.normal(scale=0.08, size=slab.positions.shape)
    return slab


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    model = build_network(2, SMALL, GraphSettings())
    with torch.no_grad():
        model.target_mean.copy_(torch.tensor([0.06, 4.0]))
        model.target_std.copy_(torch.tensor([0.02, 0.5]))
    return model.eval()


def predict(model, atoms):
    return predict_graphs(model, [build_graph(atoms)])[0]


def test_permutation_and_translation_invariance(net):
    slab = alloy_slab()
    ref = predict(net, slab)
    perm = np.random.default_rng(3).permutation(len(slab))
    assert np.allclose(predict(net, slab[perm]), ref, rtol=0, atol=1e-5)
    moved = slab.copy()
    moved.positions += [1.7, -2.3, 9.1]  # across the cell boundary along the normal too
    moved.wrap()
    assert np.allclose(predict(net, moved), ref, rtol=0, atol=1e-5)


def test_surface_embedding_changes_predictions(net):
    slab = alloy_slab()
    plain = build_network(2, SMALL.model_copy(update={"surface_embedding": False}), GraphSettings())
    plain.load_state_dict(net.state_dict())
    assert not np.allclose(predict(plain.eval(), slab), predict(net, slab))


def test_batch_equals_single(net):
    slabs = [alloy_slab(s) for s in range(3)] + [fcc111("Mg", size=(2, 2, 4), a=4.5, vacuum=8.0, periodic=True)]
    graphs = [build_graph(s) for s in slabs]
    together = predict_graphs(net, graphs)
    alone = np.stack([predict_graphs(net, [g])[0] for g in graphs])
    assert np.allclose(together, alone, atol=1e-5)


def test_export_reload_same_predictions(net, tmp_path):
    path = tmp_path / "m.pt"
    meta = export_surface_model(net, path, TARGETS, SMALL, GraphSettings(), [12, 13])
    module, loaded = load_surface_model(path)
    assert loaded["targets"] == TARGETS and loaded["elements"] == ["Mg", "Al"] == meta["elements"]
    assert loaded["units"] == {"surface_energy_eV_per_A2": "eV/A^2", "work_function_eV": "eV"}
    assert loaded["graph"]["max_neighbours"] == 12 and loaded["architecture"]["surface_depth_A"] == 2.0
    graphs = [build_graph(alloy_slab(s)) for s in range(4)]
    assert np.array_equal(predict_graphs(module, graphs), predict_graphs(net, graphs))
    rebuilt, _ = network_from_file(path)
    assert np.array_equal(predict_graphs(rebuilt, graphs), predict_graphs(net, graphs))
    check_species([12, 13], loaded, "ok.cif")
    with pytest.raises(SpeciesError, match=r"^new.cif: unknown element Cu: the model was trained on Mg, Al$"):
        check_species([13, 29], loaded, "new.cif")


def test_not_a_surface_model(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_surface_model(tmp_path / "none.pt")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(ModelFileError, match="not a readable TorchScript file"):
        load_surface_model(tmp_path / "junk.pt")


def toy_losses(w_param, scales):
    u = torch.tensor([0.6, 0.8])  # |u| = 1: d(scale_k * W.u)/dW has norm scale_k
    return torch.stack([s * (w_param @ u) for s in scales])


def test_gradnorm_equalises_gradient_norms():
    """alpha = 0: the weighted gradient norms w_i |g_i| are driven equal, so a task whose gradient is
    10x larger ends with ~1/10 of the other's weight (weights sum to the number of tasks)."""
    W = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
    gn = GradNorm(2, alpha=0.0, lr=0.01, dtype=torch.float64)
    for _ in range(600):
        gn.update(toy_losses(W, [1.0, 10.0]), torch.tensor([True, True]), W)
    w = gn.w.numpy()
    assert w.sum() == pytest.approx(2.0)
    assert w[0] / w[1] == pytest.approx(10.0, rel=0.15)  # fixed point 20/11 and 2/11


def test_gradnorm_favours_the_slower_task():
    """alpha = 1.5, equal raw gradient norms: the task whose loss has not fallen (r_2 > r_1) gets the
    larger weight; fixed point w_1 / w_2 = (L_1/L_2)^alpha * |g_2|/|g_1| for these linear toys."""
    W = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
    gn = GradNorm(2, alpha=1.5, lr=0.01, dtype=torch.float64)
    gn.update(toy_losses(W, [1.0, 1.0]), torch.tensor([True, True]), W)  # sets L(0)
    for _ in range(800):
        gn.update(toy_losses(W, [0.5, 1.0]), torch.tensor([True, True]), W)  # task 1 halved its loss
    w = gn.w.numpy()
    assert w[1] > w[0]
    assert w[0] / w[1] == pytest.approx(0.5 ** 1.5 * 1.0 / 0.5, rel=0.15)


def test_gradnorm_leaves_absent_tasks_alone():
    W = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
    gn = GradNorm(3, alpha=1.5, lr=0.05, dtype=torch.float64)
    for _ in range(20):
        gn.update(torch.cat([toy_losses(W, [1.0, 5.0]), torch.zeros(1, dtype=torch.float32)]),
                  torch.tensor([True, True, False]), W)
    assert gn.w[2] == 1.0 and gn.w[:2].sum().item() == pytest.approx(2.0) and gn.w[0] > gn.w[1]
