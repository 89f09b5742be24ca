"""``ptmlp train``: dataset + split + model config -> trained (ensemble of) model file(s).

Output folder::

    <output_dir>/config.yaml              the config used
    <output_dir>/split.json               frame indices of train/validation/test
    <output_dir>/member_<k>/checkpoint.pt state for --resume
    <output_dir>/member_<k>/model.pt      exported best model (m0 is member_0)
    <output_dir>/train_summary.json       per member: best validation RMSE, epochs, throughput
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import yaml
from ase.data import chemical_symbols

from ..atomic import atomic_write_text, file_sha256
from ..data.splits import grouped_split, load_split, save_split
from ..data.store import Dataset
from ..errors import InputError
from ..export import export_model
from ..graph import atoms_to_graph
from ..jsonfile import write_json
from ..models import ModelConfig, build_model
from .config import RunConfig
from .ranges import training_ranges
from .trainer import Trainer


def dataset_species(ds: Dataset) -> list[str]:
    numbers = np.unique(ds.arrays()["numbers"])
    return [chemical_symbols[z] for z in numbers]


def make_split(config: RunConfig, ds: Dataset, out_dir: Path) -> dict[str, list[int]]:
    path = out_dir / "split.json"
    if config.split:
        split = load_split(config.split)
    elif path.exists():  # resume: the same split as before
        split = load_split(path)
    else:
        arr = ds.arrays()
        groups = [arr["strings"][g] for g in arr["group_id"]]
        split = grouped_split(groups, config.split_fractions, config.training.seed, config.split_by_group)
    save_split(split, path, dataset=str(Path(ds.path).resolve()), seed=config.training.seed)
    if not split["train"] or not split["validation"]:
        raise InputError(f"split has {len(split['train'])} training and {len(split['validation'])} validation "
                         "frames; need at least one of each (more frames or other split_fractions)")
    return split


def model_config(config: RunConfig, ds: Dataset) -> ModelConfig:
    """``config.model`` with ``type_names`` defaulting to the dataset's species."""
    species = dataset_species(ds)
    if config.model.type_names is None:
        return ModelConfig.model_validate({**config.model.model_dump(), "type_names": species})
    missing = sorted(set(species) - set(config.model.type_names))
    if missing:
        raise InputError(f"model.type_names {config.model.type_names} lack dataset species {missing}")
    return config.model


def train_from_config(config: RunConfig, resume: bool = False, log: Callable[[str], None] = print) -> dict:
    ds = Dataset(config.dataset)
    out_dir = Path(config.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "config.yaml", yaml.safe_dump(config.to_dict(), sort_keys=False))
    split = make_split(config, ds, out_dir)
    train_frames = ds.read(split["train"])
    val_frames = ds.read(split["validation"])
    mconf = model_config(config, ds)
    log(f"dataset {ds.path}: {len(train_frames)} train, {len(val_frames)} validation, {len(split['test'])} test "
        f"frames; species {mconf.type_names}")
    summary = {"dataset": str(Path(ds.path).resolve()), "members": []}
    for k in range(config.ensemble):
        member_dir = out_dir / f"member_{k}"
        member_dir.mkdir(exist_ok=True)
        tconf = config.training.model_copy(update={"seed": config.training.seed + k})
        frames = train_frames
        if config.bootstrap and config.ensemble > 1:
            pick = np.random.default_rng([tconf.seed, 7919]).integers(0, len(train_frames), len(train_frames))
            frames = [train_frames[i] for i in pick]
        import torch

        torch.manual_seed(tconf.seed)
        model = build_model(mconf)
        log(f"member {k}: seed {tconf.seed}{', bootstrap resample' if frames is not train_frames else ''}")
        trainer = Trainer(model, frames, val_frames, tconf, checkpoint_path=str(member_dir / "checkpoint.pt"), log=log)
        result = trainer.run(resume=resume)
        training_meta = {**frames_metadata(ds.path, frames, trainer.train_graphs),
                         "n_val_frames": len(val_frames), "validation": result["best"], "seed": tconf.seed,
                         "stopped": result["stopped"], "ensemble_member": k}
        export_model(model, member_dir / "model.pt", training=training_meta,
                     electronic_temperature=te_metadata(mconf, frames))
        summary["members"].append({"model": str(member_dir / "model.pt"), "best_validation": result["best"],
                                   "stopped": result["stopped"], "frames_per_s": result["frames_per_s"],
                                   "epochs_run": len(result["history"])})
        log(f"member {k}: {member_dir / 'model.pt'}  best validation {result['best']}")
    write_json(out_dir / "train_summary.json", summary)
    return summary


def frames_metadata(dataset_path: str, frames, graphs=None, mconf: ModelConfig | None = None) -> dict:
    """``metadata["training"]`` keys of the training frames: dataset hash, frame count and the
    ranges they cover (``graphs``: their edge lists, built at ``mconf``'s r_cut when not given)."""
    if graphs is None:
        names = mconf.require_type_names()
        graphs = [atoms_to_graph(f.atoms, names, mconf.r_cut) for f in frames]
    return {"dataset_sha256": file_sha256(dataset_path), "n_train_frames": len(frames),
            **training_ranges(frames, graphs)}


def te_metadata(mconf: ModelConfig, frames) -> dict | None:
    """The metadata T_e spec of a T_e model: unit, per_atom, range of T_e in the training frames."""
    if not mconf.electronic_temperature:
        return None
    te = [f.te_K for f in frames]
    return {"unit": "K", "per_atom": bool(mconf.te_per_atom), "train_range": [float(min(te)), float(max(te))]}
