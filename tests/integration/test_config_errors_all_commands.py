"""The same family of bad configs through every workflow command (issue #18).

For each command the base config is the command's own ``--example`` (generated from its config
model), made valid by creating the files it names. Each mutation must end in exit code 2, exactly
one line on stderr naming the dotted key, and no traceback. The mutated keys are found from the
config model (the first integer key, the first constrained number, the first required key, the
first input-file key), so the test follows the models as they grow.
"""

from __future__ import annotations

import copy
import importlib
import re
import shutil
import types
import typing
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from pydantic import AfterValidator, BaseModel

from conftest import run_cli
from ptmlp.config import ConfigError, validate_config
from ptmlp.config.yaml_io import parse_yaml
from ptmlp.demo import DEMO_MODEL

#: command -> (argv before the config file, config model, argv that prints the example)
COMMANDS = {
    "train": (["train"], "ptmlp.training.config:RunConfig", None),
    "al run": (["al", "run"], "ptmlp.al.config:ALConfig", None),
    "melt": (["melt"], "ptmlp.melting.config:MeltConfig", None),
    "transport run": (["transport", "run"], "ptmlp.transport.config:RunConfig", None),
    "transport kappa": (["transport", "kappa"], "ptmlp.transport.config:KappaConfig", None),
    "transport viscosity": (["transport", "viscosity"], "ptmlp.transport.config:ViscosityConfig", None),
    "transport diffusion": (["transport", "diffusion"], "ptmlp.transport.config:DiffusionConfig", None),
    "transport conductivity": (["transport", "conductivity"], "ptmlp.transport.config:ConductivityConfig", None),
    "elastic": (["elastic"], "ptmlp.elastic.config:ElasticConfig", None),
    "phonons": (["phonons"], "ptmlp.phonons.config:PhononsConfig", None),
    "elf generate": (["elf", "generate"], "ptmlp.elf.config:GenerateConfig", None),
    "elf train": (["elf", "train"], "ptmlp.elf.config:TrainConfig", None),
    "elf predict": (["elf", "predict"], "ptmlp.elf.config:PredictConfig", None),
    "fanout": (["fanout"], "ptmlp.hpc.fanout:FanoutPlan", None),
    "slurm render": (["slurm", "render"], "ptmlp.hpc.jobspec:JOB_MODELS.lammps_mpi", ["slurm", "render", "--example"]),
    **{f"slurm render {t}": (["slurm", "render"], f"ptmlp.hpc.jobspec:JOB_MODELS.{t}", ["slurm", "render", "--example", t])
       for t in ("lammps_multinode", "lammps_gpu", "lammps_array", "command")},
    "bandgap": (["bandgap", "correct"], "ptmlp.bandgap.config:BandgapConfig", ["bandgap", "correct", "--example"]),
    "surfaces train": (["surfaces", "train"], "ptmlp.surfaces.config:TrainConfig", None),
    "surfaces test": (["surfaces", "test"], "ptmlp.surfaces.config:TestConfig", None),
    "surfaces predict": (["surfaces", "predict"], "ptmlp.surfaces.config:PredictConfig", None),
    "surfaces ablation": (["surfaces", "ablation"], "ptmlp.surfaces.experiments.config:AblationConfig", None),
    "surfaces cv": (["surfaces", "cv"], "ptmlp.surfaces.experiments.config:CrossValidationConfig", None),
    "surfaces depth-scan": (["surfaces", "depth-scan"], "ptmlp.surfaces.experiments.config:DepthScanConfig", None),
    "surfaces transfer": (["surfaces", "transfer"], "ptmlp.surfaces.experiments.config:TransferConfig", None),
    "surfaces wulff": (["surfaces", "wulff"], "ptmlp.surfaces.experiments.config:WulffConfig", None),
    "surfaces embeddings": (["surfaces", "embeddings"], "ptmlp.surfaces.experiments.config:EmbeddingsConfig", None),
}
MUTATIONS = ["wrong_type", "float_for_int", "unknown_key", "out_of_range", "missing_required", "missing_file"]


def _model(target: str) -> type[BaseModel]:
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def _example(name: str, capsys) -> dict:
    argv, _, example_argv = COMMANDS[name]
    code, out, err = run_cli(example_argv or argv + ["--example"], capsys)
    assert code == 0 and out.strip(), f"{name} --example failed: {err}"
    return parse_yaml(out) or {}


def _strip(tp):
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_input_file(info) -> bool:
    metas = list(info.metadata)
    ann = info.annotation
    for a in [ann, *typing.get_args(ann)]:
        if typing.get_origin(a) is typing.Annotated:
            metas += typing.get_args(a)[1:]
    return any(isinstance(m, AfterValidator) and "existing" in getattr(m.func, "__name__", "") for m in metas)


def _bound(info) -> Optional[tuple[str, float]]:
    for m in info.metadata:
        for attr in ("ge", "gt"):
            v = getattr(m, attr, None)
            if v is not None:
                return attr, v
    return None


def _fields(model: type[BaseModel], data: dict, prefix: tuple = ()):
    """(path, field info, is required) of every key of ``model`` present in ``data`` or required,
    depth first, following nested sections that are present in ``data``."""
    for key, info in model.model_fields.items():
        path = prefix + (key,)
        if key in data:
            yield path, info
            sub = _strip(info.annotation)
            if isinstance(sub, type) and issubclass(sub, BaseModel) and isinstance(data[key], dict):
                yield from _fields(sub, data[key], path)
        elif info.is_required():
            yield path, info


def _get(data: dict, path: tuple):
    for k in path[:-1]:
        data = data[k]
    return data


def _dotted(path: tuple) -> str:
    return ".".join(path)


def _materialise(name: str, model, data: dict, folder: Path) -> dict:
    """Create the files the example names until it validates (model files: the demo model)."""
    for _ in range(20):
        try:
            validate_config(model, data, source="base.yaml", base_dir=folder)
            return data
        except ConfigError as exc:
            msg = str(exc)
            found = re.search(r"no such [^(]*\(([^)]*)\)", msg)
            if found is None:
                pytest.fail(f"{name}: the --example config does not validate: {msg}")
            missing = Path(found.group(1))
            missing.parent.mkdir(parents=True, exist_ok=True)
            if missing.suffix == ".pt":
                shutil.copy(DEMO_MODEL, missing)
            elif not missing.suffix and "folder" in msg:
                missing.mkdir(parents=True, exist_ok=True)
            else:
                missing.write_bytes(b"")
    pytest.fail(f"{name}: could not make the --example config valid")


def _mutate(kind: str, model, data: dict) -> Optional[tuple[dict, str]]:
    """(mutated config, dotted key the error must name) or None when the model has no such key."""
    data = copy.deepcopy(data)
    fields = list(_fields(model, data))
    present = [(p, i) for p, i in fields if p[-1] in _get(data, p)]
    if kind == "unknown_key":
        path = present[0][0] if present else fields[0][0]
        parent = _get(data, path)
        wrong = path[-1][:-1] if len(path[-1]) > 3 else path[-1] + "x"
        parent[wrong] = parent.pop(path[-1], 1)
        return data, _dotted(path[:-1] + (wrong,))
    for path, info in fields:
        tp = _strip(info.annotation)
        parent = _get(data, path)
        if kind == "wrong_type" and tp in (int, float) and path[-1] in parent:
            parent[path[-1]] = "not-a-number"
            return data, _dotted(path)
        if kind == "float_for_int" and tp is int and path[-1] in parent:
            parent[path[-1]] = 1.5
            return data, _dotted(path)
        if kind == "out_of_range" and tp in (int, float) and _bound(info) and path[-1] in parent:
            attr, v = _bound(info)
            parent[path[-1]] = (v - 1 if attr == "ge" else v) if tp is float else int(v) - 1
            return data, _dotted(path)
        if kind == "missing_required" and info.is_required() and path[-1] in parent:
            del parent[path[-1]]
            return data, _dotted(path)
        if kind == "missing_file" and _is_input_file(info) and path[-1] in parent:
            parent[path[-1]] = "does_not_exist.xyz"
            return data, _dotted(path)
    return None


@pytest.mark.parametrize("kind", MUTATIONS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_bad_config_is_one_line_naming_the_key(name, kind, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, target, _ = COMMANDS[name]
    model = _model(target)
    base = _materialise(name, model, _example(name, capsys), tmp_path)
    mutated = _mutate(kind, model, base)
    if mutated is None:
        if kind == "missing_file":  # no input-file key: the config file itself is the file
            cfg, key = tmp_path / "absent.yaml", "absent.yaml"
        else:
            pytest.skip(f"{name}: its config has no key for this mutation ({kind})")
    else:
        data, key = mutated
        cfg = tmp_path / "bad.yaml"
        cfg.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, err = run_cli(argv + [str(cfg)], capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code in (1, 2), f"{name} {kind}: exit {code}; stderr: {err}"
    assert "Traceback" not in err + out
    assert len(lines) == 1, f"{name} {kind}: {len(lines)} stderr lines:\n{err}"
    assert key in lines[0], f"{name} {kind}: the error does not name {key!r}: {lines[0]}"
