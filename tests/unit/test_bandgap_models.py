"""No leakage of held-out compositions into any fit, and determinism under a fixed seed (issue #24)."""

import numpy as np
import pytest

from ptmlp.bandgap.config import CorrectionSettings, CurveSettings, ExplainSettings, ProxySettings
from ptmlp.bandgap.leakage import FitLedger, LeakageError


def test_ledger_refuses_a_held_out_formula_in_a_training_set():
    ledger = FitLedger()
    ledger.record("ok", ["A", "B"], ["C"])
    with pytest.raises(LeakageError, match="fit 'bad': 1 held-out composition.*C"):
        ledger.record("bad", ["A", "C"], ["C"])
    ledger.fits["tampered"] = (frozenset({"X"}), frozenset({"X"}))
    with pytest.raises(LeakageError):
        ledger.check()


def _toy_correction(n=160, seed=0):
    rng = np.random.default_rng(seed)
    keys = [f"K{i}" for i in range(n)]
    X = rng.normal(size=(n, 12))
    pbe = np.clip(X[:, 0] + 1, 0, None)
    expt = np.where(X[:, 1] > -0.3, np.clip(1.3 * pbe + 0.5 + 0.1 * X[:, 2], 0.05, None), 0.0)
    X[:, 0] = pbe
    return keys, X, pbe, expt


def test_correction_cv_folds_are_disjoint_and_deterministic():
    from ptmlp.bandgap.correction import cross_validate

    keys, X, pbe, expt = _toy_correction()
    s = CorrectionSettings(folds=3, top_features=5, boosting={"trees": 20, "min_child_samples": 5})
    ledger = FitLedger()
    a, oof_a = cross_validate(keys, X, pbe, expt, s, 0, 1, ledger)
    assert ledger.check() == 3
    held = set()
    for train, test in ledger.fits.values():
        assert not train & test and len(train) + len(test) == len(keys)
        held |= test
    assert held == set(keys)  # every composition held out exactly once
    b, oof_b = cross_validate(keys, X, pbe, expt, s, 0, 1, FitLedger())
    assert np.array_equal(oof_a, oof_b) and a == b
    assert a["mean_std"]["roc_auc"]["mean"] > 0.7


def test_proxy_model_is_deterministic():
    from ptmlp.bandgap.features import composition_arrays
    from ptmlp.bandgap.formula import parse_formula
    from ptmlp.bandgap.proxy_model import predict, train_model

    comps = [parse_formula(f) for f in ["ZnO", "MgAl2O4", "ZnBi2O4", "Fe2O3", "SiO2", "CuO", "TiO2", "Li2O"]]
    z, f = composition_arrays(comps)
    y = np.array([3.4, 7.8, 2.0, 2.2, 8.9, 1.2, 3.2, 7.9])
    s = ProxySettings(epochs=3, batch_size=4, model={"d_model": 16, "heads": 2, "layers": 1, "feedforward": 16})
    p1 = predict(train_model(z, f, y, s, seed=3, threads=1), z, f)
    p2 = predict(train_model(z, f, y, s, seed=3, threads=1), z, f)
    p3 = predict(train_model(z, f, y, s, seed=4, threads=1), z, f)
    assert np.array_equal(p1, p2) and not np.array_equal(p1, p3)
    assert (p1 >= 0).all()


def _toy_sites(n_seeds=40, n_pert=40, seed=0):
    rng = np.random.default_rng(seed)
    seed_keys = [f"S{i}" for i in range(n_seeds)]
    seed_X = rng.normal(size=(n_seeds, 6))
    seed_y = np.clip(2 + seed_X[:, 0] + 0.3 * seed_X[:, 1], 0, None)
    seed_y[seed_X[:, 2] > 0.8] = 0.0
    folds = {k: i % 2 for i, k in enumerate(seed_keys)}
    # perturbed composition i comes from seed i (fold i % 2); P4 (from S4, fold 0) has the key of S1,
    # a held-out compound of fold 1: without the filter it would enter fold 1's training sets
    pert_keys = [f"P{i}" for i in range(n_pert)]
    pert_keys[4] = "S1"
    pert_X = rng.normal(size=(n_pert, 6))
    labels = np.clip(2 + pert_X[:, [0]] + 0.3 * pert_X[:, [1]], 0, None).repeat(2, axis=1)
    origins = [[seed_keys[i % n_seeds]] for i in range(n_pert)]
    return seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels


def test_learning_curves_never_train_on_held_out_compositions_and_repeat_exactly():
    from ptmlp.bandgap.curves import learning_curves

    seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels = _toy_sites()
    names = [f"f{i}" for i in range(6)]
    es = ExplainSettings(forest={"trees": 10}, correlation_max=0.99)
    cs = CurveSettings(sizes=[10, 19, 20], bootstraps=2)
    ledger = FitLedger()
    res = learning_curves(seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels, names, cs, es, 2, 0,
                          1, ledger)
    # fold 0: its 20 perturbed (from fold-1 seeds) -> sizes 0, 10, 19, 20; fold 1: 19 left once S1 is dropped
    assert sorted(ledger.fits) == sorted([f"curves/fold0/n{n}" for n in (0, 10, 19, 20)]
                                         + [f"curves/fold1/n{n}" for n in (0, 10, 19)])
    assert ledger.check() == 7
    for name, (train, held) in ledger.fits.items():
        fold = int(name.split("/")[1][4:])
        assert held == {k for k in seed_keys if folds[k] == fold}
        assert not train & held, name
    assert "S1" not in ledger.fits["curves/fold1/n19"][0]
    assert {f"P{i}" for i in range(1, 40, 2)} <= ledger.fits["curves/fold0/n20"][0]
    res2 = learning_curves(seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels, names, cs, es, 2,
                           0, 1, FitLedger())
    assert res["rows"] == res2["rows"]
    assert [r["perturbed"] for r in res["table"]] == [0, 10, 19, 20]


def test_monotone_option_makes_the_correction_non_decreasing_in_the_pbe_gap():
    from ptmlp.bandgap.correction import fit_hierarchy

    keys, X, pbe, expt = _toy_correction(n=200, seed=1)
    s = CorrectionSettings(top_features=6, monotone_in_pbe_gap=True, boosting={"trees": 30, "min_child_samples": 5})
    model = fit_hierarchy(X, expt, s, 0, 1)
    probe = np.repeat(X[:20], 9, axis=0)
    probe[:, 0] = np.tile(np.linspace(0, 4, 9), 20)
    p, g, _ = model.predict(probe)
    assert (np.diff(p.reshape(20, 9), axis=1) >= -1e-12).all()
    assert (np.diff(g.reshape(20, 9), axis=1) >= -1e-12).all()


def test_learning_curves_same_numbers_with_fold_workers():
    from ptmlp.bandgap.curves import learning_curves

    seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels = _toy_sites()
    args = (seed_keys, seed_X, seed_y, folds, pert_keys, pert_X, origins, labels, [f"f{i}" for i in range(6)],
            CurveSettings(sizes=[10], bootstraps=2), ExplainSettings(forest={"trees": 5}, correlation_max=0.99), 2, 0)
    serial = learning_curves(*args, 1, FitLedger())
    parallel = learning_curves(*args, 2, FitLedger())
    assert serial["rows"] == parallel["rows"]
