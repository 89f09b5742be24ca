"""The Al electronic-entropy melting recipe (issue #25).

Default suite (about 20 s): config and its one-line errors, the pieces of physics it adds (cold
curve, Lindemann scaling, entropy bookkeeping, Delta T_m), the exploration grid with T_e = T, the
convergence table built from labels, the stage state that makes the campaign resumable, one real
GPAW label (1 atom) with the recipe's provenance and T_e rule, and the report of a campaign that has
not run yet. ``-m slow``: the eos stage through the command with real GPAW (5 x 4-atom cells, about
2 CPU-min)."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import write

from ptmlp.al import explore as al_explore
from ptmlp.al.explore_config import ExploreConfig
from ptmlp.config import ConfigError, load_config, read_yaml, validate_config
from ptmlp.data.frame import Frame
from ptmlp.data.store import Dataset
from ptmlp.demo.al_melting_te.__main__ import example
from ptmlp.demo.al_melting_te.active import filtered_task_grid, start_name
from ptmlp.demo.al_melting_te.config import RecipeConfig
from ptmlp.demo.al_melting_te.convergence import _key, series_tables, table_markdown
from ptmlp.demo.al_melting_te.eos import cold_curve_of, fit_cold_curve, vinet_pressure
from ptmlp.demo.al_melting_te.estimate import lindemann_ratio
from ptmlp.demo.al_melting_te.melting import delta_tm, phase_differences
from ptmlp.demo.al_melting_te.labels import TE_ION, label, recipe_labeler, te_blind_rule
from ptmlp.demo.al_melting_te.pipeline import STAGES, Context, Recipe, read_state, status_lines
from ptmlp.demo.al_melting_te.report import run_report
from ptmlp.errors import InputError
from ptmlp.jsonfile import read_json
from ptmlp.resources import inputs_dir
from ptmlp.units import EV_PER_A3_TO_GPA, KB_EV_PER_K

SHIPPED = inputs_dir() / "al_te" / "al_te.yaml"
SMOKE = inputs_dir() / "al_te" / "al_te_smoke.yaml"
RECIPE = [sys.executable, "-m", "ptmlp.demo.al_melting_te"]


def test_shipped_configs_and_example_validate(tmp_path):
    full = load_config(RecipeConfig, SHIPPED)
    assert full.pressures_GPa == [0.0, 50.0, 100.0, 200.0, 300.0]
    assert full.active_learning.ensemble >= 4 and len(full.melt.seeds) >= 4
    assert full.dft.ecut_eV is None and full.dft.kpts is None  # chosen by the convergence stage
    assert full.highest_pressure_GPa == 300.0
    assert load_config(RecipeConfig, SMOKE).convergence.repeat == 1
    path = tmp_path / "example.yaml"
    path.write_text(example())
    assert load_config(RecipeConfig, path) == RecipeConfig.model_validate(
        read_yaml(path), context={"base_dir": tmp_path})


@pytest.mark.parametrize("change, words", [
    ({"melt": {"size_check_pressure_GPa": 70.0}}, ["size_check_pressure_GPa = 70", "not one of pressures_GPa"]),
    ({"active_learning": {"model": {"electronic_temperature": False}}}, ["electronic_temperature must be true"]),
    ({"active_learning": {"ensemble": 3}}, ["active_learning.ensemble", "3"]),
    ({"melt": {"seeds": [1, 2, 3]}}, ["melt.seeds"]),
    ({"convergence": {"repeat": 2, "size_atoms": 32}}, ["size_atoms = 32 must exceed the 32 atoms"]),
    ({"dft": {"xc": "SCAN"}}, ["dft.xc", "SCAN"]),
])
def test_config_mistakes_are_one_line(tmp_path, change, words):
    with pytest.raises(ConfigError) as info:
        validate_config(RecipeConfig, change, source="recipe.yaml", base_dir=tmp_path)
    message = str(info.value)
    assert "\n" not in message and message.startswith("recipe.yaml")
    for w in words:
        assert w in message


def test_cli_error_is_one_line_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("pressures_GPa: [0, 50, 50]\n")
    proc = subprocess.run(RECIPE + [str(bad), "--check"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "pressures_GPa has duplicates" in proc.stderr


def test_cold_curve_fit_inverse_and_lindemann_ratio():
    v = np.linspace(9.0, 17.0, 9)
    p = vinet_pressure(v, 16.5, 75.0, 4.6)
    curve = fit_cold_curve(v, p)
    assert curve.V0_A3_per_atom == pytest.approx(16.5, rel=1e-6)
    assert curve.B0_GPa == pytest.approx(75.0, rel=1e-5) and curve.B0_prime == pytest.approx(4.6, rel=1e-5)
    for target in (0.0, 50.0, 200.0):
        assert curve.pressure_GPa(curve.volume_A3(target)) == pytest.approx(target, abs=1e-6)
    assert curve.bulk_modulus_GPa(16.5) == pytest.approx(75.0, rel=1e-6)  # B(V0) = B0
    v100 = curve.volume_A3(100.0)
    assert lindemann_ratio(curve, 100.0, 0.0) == pytest.approx(curve.bulk_modulus_GPa(v100) * v100 / (75.0 * 16.5))
    with pytest.raises(InputError, match="outside the fitted volumes"):
        curve.volume_A3(1e5)


def test_cold_curve_refuses_a_potential_beyond_its_range():
    calls = iter([0.0, 10.0, 20.0, 15.0, 900.0])  # pressure falls under compression: past the peak
    with pytest.raises(InputError, match="falls from 20.0 to 15.0 GPa"):
        cold_curve_of(lambda atoms: next(calls), [4.1, 4.0, 3.9, 3.8, 3.7])


def test_phase_differences_and_delta_tm_arithmetic():
    kb = KB_EV_PER_K
    t_m = 4000.0
    solid = {"enthalpy_eV_per_atom": -3.0, "enthalpy_eV_err_per_atom": 0.001, "TS_e_eV_per_atom": 0.10,
             "TS_e_eV_err_per_atom": 0.0, "volume_A3_per_atom": 10.0, "volume_A3_err_per_atom": 0.01,
             "S_e_kB_per_atom": 0.10 / (kb * t_m), "S_e_kB_err_per_atom": 0.001, "msd_final_A2": 0.3}
    liquid = {"enthalpy_eV_per_atom": -3.0 + kb * t_m * 0.9, "enthalpy_eV_err_per_atom": 0.001,
              "TS_e_eV_per_atom": 0.10 + kb * t_m * 0.1, "TS_e_eV_err_per_atom": 0.0, "volume_A3_per_atom": 10.3,
              "volume_A3_err_per_atom": 0.01, "S_e_kB_per_atom": 0.10 / (kb * t_m) + 0.1,
              "S_e_kB_err_per_atom": 0.001, "msd_final_A2": 40.0}
    d = phase_differences(solid, liquid, t_m)
    assert d["delta_S_m_kB_per_atom"] == pytest.approx(1.0)  # (0.9 + 0.1) k_B T_m / T_m: U = F + T S_e counted
    assert d["delta_S_e_kB_per_atom"] == pytest.approx(0.1)
    assert d["delta_V_m_A3_per_atom"] == pytest.approx(0.3)
    # Clausius-Clapeyron: 0.3 A^3 / 1 k_B = 0.3 / 8.617e-5 eV/K per A^3 -> K/GPa with 1 eV/A^3 = 160.2 GPa
    assert d["clausius_clapeyron_K_per_GPa"] == pytest.approx(0.3 / kb / 160.21766208)
    assert d["liquid_diffuses"]
    a = {"pressure_GPa": 100.5, "pressure_err_GPa": 0.3, "T_melt_K": 5000.0, "T_melt_err_K": 30.0}
    b = {"pressure_GPa": 100.0, "pressure_err_GPa": 0.4, "T_melt_K": 5100.0, "T_melt_err_K": 40.0}
    dt = delta_tm(a, b, slope_K_per_GPa=20.0)
    assert dt["delta_T_m_K"] == pytest.approx(5000.0 - 5100.0 - 20.0 * 0.5)
    assert dt["delta_T_m_err_K"] == pytest.approx(math.sqrt(30 ** 2 + 40 ** 2 + (20 * 0.5) ** 2))


def test_exploration_grid_keeps_each_pressure_its_temperatures_with_te_equal_t(tmp_path):
    files = []
    for p in (0.0, 50.0):
        for phase in ("solid", "liquid"):
            path = tmp_path / f"{start_name(phase, p)}.extxyz"
            write(path, bulk("Al", "fcc", a=4.0, cubic=True))
            files.append(str(path))
    points = {0.0: [800.0, 1000.0], 50.0: [2000.0, 2500.0]}
    temps = sorted({t for ts in points.values() for t in ts})
    cfg = ExploreConfig(structures=files, ensembles=["npt"], pressures_GPa=[0.0, 50.0], temperatures_K=temps,
                        te_K=temps)
    structures = al_explore.starting_structures(cfg)
    original = al_explore.task_grid
    assert len(original(cfg, structures)) == 4 * 2 * 4 * 4  # the loop's own product
    with filtered_task_grid(points):
        tasks = al_explore.task_grid(cfg, structures)
    assert al_explore.task_grid is original  # restored
    got = sorted((t["structure"], t["pressure_GPa"], t["temperature_K"], t["te_K"]) for t in tasks)
    want = sorted((start_name(ph, p), p, t, t) for p, ts in points.items() for t in ts for ph in ("solid", "liquid"))
    assert got == want
    assert len({t["id"] for t in tasks}) == len(tasks)


def test_report_of_a_campaign_not_run_yet(tmp_path):
    cfg = load_config(RecipeConfig, SMOKE).model_copy(update={"workdir": str(tmp_path / "run")})
    ctx = Context(cfg, "0" * 64, lambda line: None)
    result = run_report(ctx)
    text = Path(result["readme_section"]).read_text()
    assert text.startswith("## Electronic entropy and the melting of Al")
    assert "pending" in text and "| eos: GPAW cold curve" in text
    assert result["plot"] is None and "melt" in result["pending_stages"]
    assert result["anchors"]["experiment_T_m_K"] == 933.47 and not result["anchors"]["literature_numbers_quoted"]


@pytest.mark.slow
def test_eos_stage_with_gpaw_records_provenance_and_resumes(tmp_path):
    """Real GPAW (five 4-atom cells, 150 eV, 2x2x2 k): the stage's result, the recipe's provenance in
    every frame of the HDF5 dataset, the state file, and a rerun that labels nothing again."""
    config = tmp_path / "smoke.yaml"
    shutil.copy(SMOKE, config)
    run = [*RECIPE, str(config), "--workdir", str(tmp_path / "run"), "--only", "eos"]
    first = subprocess.run(run, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    eos = read_json(tmp_path / "run" / "eos" / "result.json")
    fit = eos["fit"]
    assert 14.0 < fit["V0_A3_per_atom"] < 18.0 and 50.0 < fit["B0_GPa"] < 120.0  # LDA Al (V0 16.3, B0 81 here)
    assert [r["pressure_GPa"] for r in eos["targets"]] == [0.0, 10.0, 20.0]
    a = [r["fcc_lattice_A"] for r in eos["targets"]]
    assert a[0] > a[1] > a[2]
    frames = Dataset(tmp_path / "run" / "eos" / "eos.h5").read()
    assert len(frames) == 5
    prov = frames[0].provenance
    assert prov["recipe"] == "python -m ptmlp.demo.al_melting_te" and prov["stage"] == "eos"
    assert prov["xc"] == "LDA" and prov["te_K"] == 2000.0 and prov["occupations"] == "fermi-dirac"
    assert len(prov["recipe_config_sha256"]) == 64
    state = read_json(tmp_path / "run" / "recipe_state.json")
    assert state["stages"]["eos"]["status"] == "done" and state["stages"]["eos"]["wall_s"] > 0
    (tmp_path / "run" / "recipe_state.json").unlink()  # forget the stage: the labels are reused
    again = subprocess.run(run, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "labelled 0, already done 5" in again.stdout
    status = subprocess.run([*RECIPE, str(config), "--workdir", str(tmp_path / "run"), "--status"],
                            capture_output=True, text=True)
    assert status.returncode == 0 and "eos              done" in status.stdout


def _smoke_ctx(tmp_path, log=None):
    cfg = load_config(RecipeConfig, SMOKE).model_copy(update={"workdir": str(tmp_path / "run")})
    return Context(cfg, "0" * 64, log or (lambda line: None))


def _frame(atoms, energy_eV, pressure_GPa, group, te_K, forces):
    w = pressure_GPa / EV_PER_A3_TO_GPA * atoms.get_volume() * np.eye(3)  # W = P V (isotropic)
    return Frame(atoms, energy_eV, np.asarray(forces, float), w, group, te_K)


def test_convergence_table_from_labels(tmp_path):
    """Cutoff and k series against their references: shifts, the rule, the choice, pending rows."""
    ctx = _smoke_ctx(tmp_path)
    c = ctx.cfg.convergence.model_copy(update={"ecut_eV": [150.0, 180.0, 220.0], "kpts": [1, 2, 3],
                                               "base_ecut_eV": 150.0, "base_kpts": 1, "te_K": [300.0, 2000.0]})
    labels = ctx.dir("convergence") / "labels"
    labels.mkdir()
    solid = bulk("Al", "fcc", a=3.8, cubic=True)
    liquid = solid.copy()
    liquid.positions[0] += [0.3, 0.1, 0.0]
    rng = np.random.default_rng(0)
    f_solid, f_liquid = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    # liquid - solid shift (meV/atom) and pressure shift (GPa) of each cutoff against 220 eV; k against 3
    cut = {150.0: (5.0, 0.2), 180.0: (1.5, 0.5), 220.0: (0.0, 0.0)}
    kpt = {1: (30.0, 3.0), 2: (1.0, 0.4), 3: (0.0, 0.0)}

    def write(ecut, k, te, d_meV, d_p):
        e0 = -4.0 * 4 + 0.01 * k  # a common shift of both cells changes no difference
        Dataset.write(labels / f"{_key(ecut, k, te)}.h5", [[
            _frame(solid, e0, 100.0 + d_p, "solid", te, f_solid),
            _frame(liquid, e0 + 0.5 + 4e-3 * d_meV, 110.0 + d_p, "liquid", te, f_liquid + 1e-3 * d_meV)]])

    for e, (d, p) in cut.items():
        write(e, 1, 2000.0, d, p)
    for te in (300.0, 2000.0):
        for k, (d, p) in kpt.items():
            if not (k == 1 and te == 2000.0):
                write(150.0, k, te, d, p)
    cut_rows, ecut_choice, k_rows, k_choice = series_tables(labels, c)
    assert [r["ecut_eV"] for r in cut_rows] == [150.0, 180.0, 220.0] and set(k_rows) == {"300", "2000"}
    assert cut_rows[0]["d_liquid_minus_solid_meV_per_atom"] == pytest.approx(5.0)
    assert cut_rows[1]["d_solid_pressure_GPa"] == pytest.approx(0.5)
    assert cut_rows[1]["d_liquid_force_rms_meV_per_A"] == pytest.approx(1.5)
    assert [r["converged"] for r in cut_rows] == [False, True, True]  # 2 meV/atom, 1 GPa
    assert ecut_choice == 180.0 and k_choice == 2
    assert [r["converged"] for r in k_rows["300"]] == [False, True, True]
    for row in cut_rows:
        assert not any(key.startswith("_") for key in row)  # forces stay out of result.json
    text = table_markdown({"cutoff_series": cut_rows, "kpoint_series": k_rows, "size": {}})
    assert text.count("\n") == 2 + 3 + 3 + 3 - 1
    assert "| cutoff | 180 | 1³ | 2000 | +1.50 |" in text and text.rstrip().endswith("| ref |")
    # a missing reference: rows pending, no choice
    (labels / f"{_key(220.0, 1, 2000.0)}.h5").unlink()
    cut_rows, ecut_choice, _, _ = series_tables(labels, c)
    assert ecut_choice is None and [r["converged"] for r in cut_rows] == [None, None, None]
    assert cut_rows[2]["solid_energy_eV_per_atom"] is None


def _fake_modules(calls, fail):
    """Stage modules whose run_<stage> records the call and writes a result (or raises once)."""
    import types

    def make(stage):
        def run(ctx, log):
            calls.append(stage)
            log("working")
            if fail.pop(stage, None) is not None:
                raise (InputError if stage == "estimate" else RuntimeError)(f"{stage} broke")
            return ctx.save_result(stage, {"stage": stage, "value": float("nan")})
        return run
    return {m: types.SimpleNamespace(**{f"run_{s}": make(s) for s in STAGES}) for m in
            ("eos", "convergence", "estimate", "active", "potentials", "melting", "report")}


def test_stage_state_records_and_resumes(tmp_path):
    """recipe_state.json (strict JSON) records each stage; a rerun runs only what is not done;
    --redo forgets a stage and every later one; a removed stage folder is run again."""
    lines = []
    ctx = _smoke_ctx(tmp_path, lines.append)
    calls = []
    recipe = Recipe(ctx)
    recipe.modules = _fake_modules(calls, {"estimate": 1})
    with pytest.raises(InputError, match="estimate broke"):
        recipe.run(until="initial")
    assert sorted(calls) == ["convergence", "eos", "estimate"]  # convergence and estimate run at once
    state = read_json(ctx.work / "recipe_state.json")
    assert {s: v["status"] for s, v in state["stages"].items()} == {"eos": "done", "convergence": "done",
                                                                      "estimate": "failed"}
    assert state["stages"]["estimate"]["error"] == "estimate broke" and state["stages"]["eos"]["wall_s"] >= 0
    assert read_json(ctx.work / "eos" / "result.json")["value"] is None  # NaN written as null
    assert any(line.startswith("[estimate] failed after") for line in lines)
    # the rerun (a new process: a new Recipe) skips the finished stages
    calls.clear()
    recipe = Recipe(ctx)
    recipe.modules = _fake_modules(calls, {"initial": 1})
    with pytest.raises(RuntimeError, match="initial broke"):
        recipe.run(until="initial")
    assert calls == ["estimate", "initial"]
    assert read_state(ctx.work)["stages"]["initial"]["error"] == "RuntimeError: initial broke"
    calls.clear()
    recipe.run(until="relabel")
    assert calls == ["initial", "active_learning", "relabel"]
    calls.clear()
    recipe.run(until="relabel")
    assert calls == []
    recipe.redo("active_learning")
    assert [read_state(ctx.work)["stages"][s]["status"] for s in ("initial", "active_learning", "relabel")] == \
        ["done", "pending", "pending"]
    shutil.rmtree(ctx.work / "eos")
    recipe.run(until="relabel", only=["eos", "relabel"])
    assert calls == ["eos", "relabel"]
    lines.clear()
    calls.clear()
    changed = Recipe(Context(ctx.cfg, "1" * 64, lines.append))  # another config file: a note, nothing redone
    changed.modules = _fake_modules(calls, {})
    changed.run(until="relabel")
    assert calls == ["active_learning"] and lines[0].startswith("note: the config changed since the last run")
    table = status_lines(ctx.work)
    assert len(table) == 1 + len(STAGES)
    assert [line.split()[1] for line in table[1:]] == ["done"] * 6 + ["pending"] * 4
    assert table[STAGES.index("melt") + 1].split()[:2] == ["melt", "pending"]


def test_one_gpaw_label_with_provenance_progress_and_resume(tmp_path):
    """A real GPAW label (1-atom fcc Al, 100 eV, Gamma point: ~3 s) through the recipe's labelling
    helper: provenance in the HDF5 dataset (GPAW version, settings, T_e rule), a progress line with
    the ETA, and a second call that labels nothing."""
    lines = []
    ctx = _smoke_ctx(tmp_path, lines.append)
    atoms = bulk("Al", "fcc", a=3.9)
    path = ctx.dir("data") / "one.h5"
    labeler = recipe_labeler(ctx.cfg, 3000.0, 100.0, [1, 1, 1], "initial", ctx.config_sha256, TE_ION)
    report = label(ctx, [atoms], labeler, path, ["initial/P0/T3000/solid/0"], lines.append, "T_e = T")
    assert report.labelled == 1
    assert lines[0] == "T_e = T: 1 of 1 to label with GPAW LDA, PW 100 eV, k 1x1x1, Fermi-Dirac T_e = 3000 K"
    assert lines[1].startswith("T_e = T: 1/1 (ok) ") and "ETA 0 s" in lines[1]
    frame = Dataset(path).read()[0]
    import gpaw

    prov = frame.provenance
    assert prov["code"] == f"gpaw {gpaw.__version__}" and prov["te_rule"] == TE_ION
    assert prov["ecut_eV"] == 100.0 and prov["kpts"] == [1, 1, 1] and prov["xc"] == "LDA"
    assert prov["width_eV"] == pytest.approx(3000.0 * KB_EV_PER_K) and frame.te_K == 3000.0
    assert prov["stage"] == "initial" and prov["recipe_config_sha256"] == "0" * 64
    assert frame.group == "initial/P0/T3000/solid/0" and math.isfinite(frame.energy_eV)
    lines.clear()
    again = label(ctx, [atoms], labeler, path, ["initial/P0/T3000/solid/0"], lines.append, "T_e = T")
    assert again.labelled == 0 and again.skipped_done == 1 and len(lines) == 1
    assert "300 K for every configuration" in te_blind_rule(300.0)


@pytest.mark.slow
def test_smoke_config_runs_every_stage_and_resumes(tmp_path):
    """The whole recipe at toy size through the command (3.2 min wall, 2 CPU-min on the shared
    2-core machine, 2026-12-08): every stage done, the convergence table, both datasets with their
    T_e rule, the models, the report; a second run does nothing. The 5-epoch toy models cannot hold
    a crystal, so the melt points are recorded with their LAMMPS errors (the stage goes on)."""
    run = [*RECIPE, str(SMOKE), "--workdir", str(tmp_path / "run")]
    first = subprocess.run(run, capture_output=True, text=True, timeout=1800)
    assert first.returncode == 0, first.stderr[-3000:]
    work = tmp_path / "run"
    state = read_json(work / "recipe_state.json")
    assert [state["stages"][s]["status"] for s in STAGES] == ["done"] * len(STAGES)
    conv = read_json(work / "convergence" / "result.json")
    assert conv["chosen"]["ecut_eV"] in (150.0, 180.0) and conv["chosen"]["kpts"] in ([1, 1, 1], [2, 2, 2])
    assert [r["ecut_eV"] for r in conv["cutoff_series"]] == [150.0, 180.0] and list(conv["kpoint_series"]) == ["2000"]
    assert "size_effect_energy_meV_per_atom" in conv["size"]
    aware, blind = Dataset(work / "data" / "te_ion.h5").read(), Dataset(work / "data" / "te_blind.h5").read()
    assert len(blind) == len(aware) >= 12
    assert all(f.provenance["te_rule"] == TE_ION and f.te_K == f.provenance["te_K"] for f in aware)
    assert {f.te_K for f in blind} == {300.0} and blind[0].provenance["te_rule"] == te_blind_rule(300.0)
    assert sorted(f.group for f in aware) == sorted(f.group for f in blind)
    train = read_json(work / "train" / "result.json")
    assert set(train["models"]) == {"aware", "blind"} and all(Path(m).exists() for m in train["models"].values())
    melt = read_json(work / "melt" / "result.json")
    assert [r["pressure_target_GPa"] for r in melt["points"]["aware"]] == [0.0, 10.0, 20.0]
    report = (work / "report" / "README_section.md").read_text()
    assert "### Convergence at the highest density" in report and "| cutoff | 150 |" in report
    again = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "] start" not in again.stdout  # every stage skipped
