"""The active-learning loop: train ensemble -> explore -> select -> label -> retrain.

Every stage of every iteration is idempotent and checkpointed in ``<workdir>/al_state.json``
(written atomically after each stage): kill the run at any moment, rerun the same command and
it resumes without relabelling or losing a frame. Stops when the accurate fraction reaches the
target in two consecutive iterations and the validation force RMSE stops improving, or at
``max_iterations``; the reason is recorded.
"""

from __future__ import annotations

import math
import os
import signal
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from ase.io import write

from ..data.store import Dataset, open_or_create
from ..data.structure_hash import structure_hash
from ..errors import InputError
from ..export import load_model
from ..graph import atoms_to_graph
from ..jsonfile import read_json, write_json
from ..labelers.factory import make_labeler
from ..labelers.runner import label_structures
from ..training.config import RunConfig
from ..training.run import train_from_config
from . import generators as gen
from .config import ALConfig
from .explore import explore, starting_structures
from .report import number
from .select import select

STAGES = ("train", "explore", "select", "label")


def _kill_point(stage: str, count: int) -> None:
    """Crash-recovery tests set PTMLP_AL_KILL=<stage>:<n> to SIGKILL this process after n units
    of work in that stage (epochs, runs, labels), mid-stage."""
    spec = os.environ.get("PTMLP_AL_KILL", "")
    if spec and spec == f"{stage}:{count}":
        os.kill(os.getpid(), signal.SIGKILL)


class ActiveLearning:
    def __init__(self, config: ALConfig, log: Callable[[str], None] = print):
        self.config, self.log = config, log
        self.work = Path(config.workdir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.dataset_path = config.dataset or str(self.work / "dataset.h5")
        self.state_path = self.work / "al_state.json"
        self.state = read_json(self.state_path) if self.state_path.exists() else \
            {"iterations": [], "converged": False, "stopped": ""}
        species = {s for _, a in starting_structures(config.explore, config.model.type_names)
                   for s in a.get_chemical_symbols()}
        self.type_names = list(config.model.type_names or sorted(species))

    # ---- bookkeeping --------------------------------------------------------------
    def save(self) -> None:
        write_json(self.state_path, self.state)

    def iteration(self, k: int) -> dict:
        while len(self.state["iterations"]) <= k:
            self.state["iterations"].append({"index": len(self.state["iterations"]), "stages": {}})
        return self.state["iterations"][k]

    # ---- stages -------------------------------------------------------------------
    def labeler_for(self, te_K):
        spec = self.config.labeler
        te = te_K if te_K is not None and not math.isnan(te_K) else spec.te_K
        return make_labeler(spec.kind, self.type_names, te_K=te, xc=spec.xc, ecut_eV=spec.ecut_eV, kpts=spec.kpts,
                            potential=spec.potential)

    def label(self, structures, groups, te_values) -> dict:
        counter = {"n": 0}

        def tick(_index, _status):
            counter["n"] += 1
            _kill_point("label", counter["n"])

        te_values = [math.nan if t is None else float(t) for t in te_values]  # JSON null: no T_e
        totals = {"labelled": 0, "failed": {}}
        for te in sorted({t for t in te_values}, key=lambda t: (math.isnan(t), t)):
            idx = [i for i, t in enumerate(te_values) if (t == te or (math.isnan(t) and math.isnan(te)))]
            report = label_structures([structures[i] for i in idx], self.labeler_for(te), self.dataset_path,
                                      groups=[groups[i] for i in idx], processes=self.config.labeler.processes,
                                      timeout_s=self.config.labeler.timeout_s, progress=False, on_result=tick)
            totals["labelled"] += report.labelled
            for k, v in report.failed.items():
                totals["failed"][k] = totals["failed"].get(k, 0) + v
            self.log(f"labels (T_e {te}): {report.line()}")
        return totals

    def initial_data(self) -> None:
        """Label rattled copies of the initial structures (resumable: finished labels are skipped)."""
        ds = open_or_create(self.dataset_path)
        if self.state.get("initial") == "done":
            return
        if not self.config.initial_structures:
            if len(ds) == 0:
                raise InputError("the dataset is empty and no initial_structures are given")
            self.state["initial"] = "done"
            self.save()
            return
        from ase.io import read

        structures, groups = [], []
        for path in self.config.initial_structures:
            atoms = read(path).repeat(tuple(self.config.explore.supercell))
            copies = gen.rattle_and_strain(atoms, self.config.initial_rattle_copies, self.config.initial_rattle_A,
                                           0.02, seed=len(structures))
            structures += copies
            groups += [f"initial/{Path(path).stem}/{k}" for k in range(len(copies))]
        te = self.config.explore.te_K or [float("nan")]
        te_values = [te[k % len(te)] for k in range(len(structures))]
        self.log(f"initial data: labelling {len(structures)} rattled copies of {self.config.initial_structures}")
        self.label(structures, groups, te_values)
        self.state["initial"] = "done"
        self.save()

    def train(self, k: int, it: dict) -> list[str]:
        out_dir = self.work / f"iter_{k:03d}" / "train"
        rc = RunConfig(dataset=self.dataset_path, output_dir=str(out_dir), model=self.config.model,
                       training=self.config.training.model_copy(update={"seed": self.config.training.seed + 100 * k}),
                       ensemble=self.config.ensemble)
        epochs = {"n": 0}

        def log(line: str) -> None:
            if line.startswith("epoch"):
                epochs["n"] += 1
                _kill_point("train", epochs["n"])
            self.log(line)

        summary = train_from_config(rc, resume=True, log=log)
        models = [m["model"] for m in summary["members"]]
        it["validation_force_rmse_meV_per_A"] = float(np.mean(
            [m["best_validation"]["force_rmse_meV_per_A"] for m in summary["members"]]))
        it["validation_energy_rmse_meV_per_atom"] = float(np.mean(
            [m["best_validation"]["energy_rmse_meV_per_atom"] for m in summary["members"]]))
        it["test"] = self.split_errors(models[0], out_dir / "split.json", "test")
        # the previous iteration's model on this iteration's validation frames: the convergence
        # test compares two models on the same frames (each iteration's validation set differs)
        previous = self.work / f"iter_{k - 1:03d}" / "train" / "member_0" / "model.pt"
        if k > 0 and previous.is_file():
            it["validation_same_frames"] = {
                "previous_model": self.split_errors(str(previous), out_dir / "split.json", "validation"),
                "this_model": self.split_errors(models[0], out_dir / "split.json", "validation")}
        it["dataset_frames"] = len(Dataset(self.dataset_path))
        return models

    def split_errors(self, model: str, split_path: Path, part: str) -> dict:
        """Errors of ``model`` on the ``part`` ("test", "validation") frames of a split file."""
        from ..evaluation.metrics import error_metrics, predict

        frames = read_json(split_path)[part]
        if not frames:
            return {}
        metrics = error_metrics(predict(model, Dataset(self.dataset_path).read(frames)))
        return {k: metrics[k] for k in ("n_frames", "energy_rmse_meV_per_atom", "force_rmse_meV_per_A")}

    def descriptor_fn(self, model_path: str):
        module, meta = load_model(model_path)

        def describe(atoms):
            g = atoms_to_graph(atoms, meta["type_names"], meta["r_cut"])
            with torch.no_grad():
                d = module.descriptors(g.edge_vec, g.edge_i, g.edge_j, g.species, g.n_atoms)
            return d.mean(0).numpy()

        return describe

    # ---- the loop -----------------------------------------------------------------
    def run(self) -> dict:
        self.initial_data()
        cfg = self.config
        tel = cfg.model.electronic_temperature
        done = len(self.state["iterations"])
        if (self.state["stopped"].startswith("reached max_iterations=") and not self.state["converged"]
                and cfg.max_iterations > done):
            self.log(f"max_iterations is now {cfg.max_iterations}: continuing after iteration {done - 1}")
            self.state["stopped"] = ""
        for k in range(cfg.max_iterations):
            if self.state["stopped"]:
                break
            it = self.iteration(k)
            it_dir = self.work / f"iter_{k:03d}"
            models = [str(it_dir / "train" / f"member_{m}" / "model.pt") for m in range(cfg.ensemble)]
            if it["stages"].get("train") != "done":
                models = self.train(k, it)
                it["stages"]["train"] = "done"
                self.save()
            runs = {"n": 0}

            def ran(_record) -> None:
                runs["n"] += 1
                _kill_point("explore", runs["n"])

            if it["stages"].get("explore") != "done" or it["stages"].get("select") != "done":
                records, frames = explore(it_dir / "explore", models, self.type_names, cfg.explore, tel=tel,
                                          log=self.log, on_task_done=ran)
                it["runs"] = {"total": len(records), "failed": [r["id"] for r in records if r["status"] == "failed"],
                              "halted": [r["id"] for r in records if r["status"] == "halted"]}
                it["stages"]["explore"] = "done"
                self.save()
                known = set(Dataset(self.dataset_path).hashes())
                picked, summary = select(frames, cfg.select, known, self.descriptor_fn(models[0]))
                write(it_dir / "selected.extxyz", [f.atoms for f in picked] or [], format="extxyz")
                write_json(it_dir / "selected.json", [{"task": f.task, "step": f.step, "max_devi_f": f.max_devi_f,
                                                       "te_K": f.te_K} for f in picked])
                it["selection"] = summary
                it["stages"]["select"] = "done"
                self.save()
                _kill_point("select", 1)
            if it["stages"].get("label") != "done":
                from ase.io import read

                meta = read_json(it_dir / "selected.json")
                picked_atoms = read(it_dir / "selected.extxyz", index=":") if meta else []
                groups = [f"iter{k}/task{m['task']}" for m in meta]
                totals = self.label(picked_atoms, groups, [m["te_K"] for m in meta])
                it["labels_added"], it["label_failures"] = totals["labelled"], totals["failed"]
                it["stages"]["label"] = "done"
                self.save()
            self.log(self.summary_line(k))
            if self.check_converged(k):
                break
        else:
            if not self.state["stopped"]:
                self.state["stopped"] = f"reached max_iterations={cfg.max_iterations} without converging"
        self.save()
        self.log(f"active learning stopped: {self.state['stopped']}")
        return self.state

    def check_converged(self, k: int) -> bool:
        its = self.state["iterations"]
        cfg = self.config
        acc = [i["selection"]["accurate_fraction"] for i in its[:k + 1]]
        if len(acc) < 2 or acc[-1] < cfg.target_accurate_fraction or acc[-2] < cfg.target_accurate_fraction:
            return False
        same = its[k].get("validation_same_frames", {})
        if same.get("previous_model") and same.get("this_model"):
            r_before = number(same["previous_model"]["force_rmse_meV_per_A"])
            r_now = number(same["this_model"]["force_rmse_meV_per_A"])
        else:
            r_now = number(its[k]["validation_force_rmse_meV_per_A"])
            r_before = number(its[k - 1]["validation_force_rmse_meV_per_A"])
        if (r_before - r_now) > cfg.rmse_improvement_tol * r_before:
            return False
        self.state["converged"] = True
        self.state["stopped"] = (f"converged at iteration {k}: accurate fraction {acc[-2]:.3f}, {acc[-1]:.3f} >= "
                                 f"{cfg.target_accurate_fraction} and validation force RMSE {r_before:.1f} -> "
                                 f"{r_now:.1f} meV/A (improvement below {cfg.rmse_improvement_tol:.0%})")
        return True

    def summary_line(self, k: int) -> str:
        it = self.state["iterations"][k]
        s = it.get("selection", {})
        return (f"iteration {k}: accurate {number(s.get('accurate_fraction')):.3f}, candidates "
                f"{number(s.get('candidate_fraction')):.3f}, failed {number(s.get('failed_fraction')):.3f}; "
                f"labels added {it.get('labels_added', 0)}; validation F RMSE "
                f"{number(it.get('validation_force_rmse_meV_per_A')):.1f} meV/A; dataset {it.get('dataset_frames')}")
