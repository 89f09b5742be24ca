"""Surface-property datasets: a folder (or a .tar.gz of one) with ``id_prop.csv`` (id, values...)
and one structure file ``<id>.cif`` per slab. Crystal graphs are cached in ``cache_dir`` (one
``.npz`` per folder, graph settings and slab selection)."""

from __future__ import annotations

import csv
import hashlib
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..atomic import atomic_open, atomic_path, file_sha256
from ..errors import InputError
from .config import DatasetSpec, GraphSettings
from .graph import CrystalGraph, build_graph
from .model import N_ELEMENTS
from .structures import read_structure

CACHE_VERSION = 2  # 2: slabs across the cell boundary made contiguous before the neighbour search


@dataclass
class SurfaceDataset:
    name: str
    ids: list[str]
    graphs: list[CrystalGraph]
    values: np.ndarray  # (n_slabs, n_columns) reference values, NaN where missing
    columns: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: Sequence[int]) -> "SurfaceDataset":
        index = list(index)
        return SurfaceDataset(self.name, [self.ids[i] for i in index], [self.graphs[i] for i in index],
                              self.values[index], list(self.columns))

    def only(self, names: Sequence[str]) -> "SurfaceDataset":
        """The same slabs with only the value columns in ``names`` (others are not trained on)."""
        keep = [k for k, c in enumerate(self.columns) if c in names]
        return SurfaceDataset(self.name, self.ids, self.graphs, self.values[:, keep], [self.columns[k] for k in keep])

    def targets(self, names: Sequence[str]) -> np.ndarray:
        """(n_slabs, len(names)) values of ``names``; NaN columns for names the dataset lacks."""
        out = np.full((len(self), len(names)), np.nan)
        for k, name in enumerate(names):
            if name in self.columns:
                out[:, k] = self.values[:, self.columns.index(name)]
        return out

    def require(self, names: Sequence[str]) -> None:
        """One-line error if a target in ``names`` is not a column of this dataset."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise InputError(f"dataset {self.name}: target column {missing[0]} is missing (its id_prop.csv holds "
                             f"{', '.join(self.columns)}); drop it from targets or use a dataset that has it")


def dataset_folder(spec: DatasetSpec) -> Path:
    """The dataset folder; a .tar.gz source is unpacked once into ``cache_dir``."""
    src = Path(spec.source)
    if src.is_dir():
        return src
    if not tarfile.is_tarfile(src):
        raise InputError(f"dataset source {src}: neither a folder nor a .tar.gz archive")
    digest = file_sha256(src)[:12]
    dest = Path(spec.cache_dir).expanduser() / "datasets" / f"{src.name.split('.')[0]}-{digest}"
    if not dest.is_dir():
        with atomic_path(dest) as tmp:
            tmp.mkdir()
            with tarfile.open(src) as tar:
                tar.extractall(tmp, filter="data")
            inner = list(tmp.iterdir())
            if len(inner) == 1 and inner[0].is_dir():  # the archive holds one folder: its content is the dataset
                top = inner[0].rename(tmp / ".archive-top")
                for entry in top.iterdir():
                    entry.rename(tmp / entry.name)
                top.rmdir()
    return dest


def read_id_prop(folder: Path, spec: DatasetSpec) -> tuple[list[str], np.ndarray]:
    path = folder / spec.id_prop
    if not path.is_file():
        raise InputError(f"dataset {folder}: no {spec.id_prop} (a CSV of id, {', '.join(spec.columns)})")
    ids, rows = [], []
    with open(path, newline="") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip():
                continue
            values = row[1:]
            if len(values) < len(spec.columns):
                raise InputError(f"{path} line {line}: {len(values)} value(s) for the columns "
                                 f"{', '.join(spec.columns)}: target column {spec.columns[len(values)]} is missing")
            try:
                rows.append([float(v) for v in values[:len(spec.columns)]])
            except ValueError:
                raise InputError(f"{path} line {line}: values {values} are not numbers") from None
            ids.append(row[0].strip())
    if not ids:
        raise InputError(f"{path}: no slabs listed")
    return ids, np.array(rows, dtype=np.float64)


def _cache_file(folder: Path, spec: DatasetSpec, graph: GraphSettings, ids: Sequence[str]) -> Path:
    key = hashlib.sha256(repr((CACHE_VERSION, str(folder.resolve()), graph.to_dict(), list(ids))).encode())
    return Path(spec.cache_dir).expanduser() / "graphs" / f"{folder.name}-{key.hexdigest()[:16]}.npz"


def _save_graphs(path: Path, graphs: Sequence[CrystalGraph]) -> None:
    atoms = np.cumsum([0] + [g.n_atoms for g in graphs])
    edges = np.cumsum([0] + [len(g.centre) for g in graphs])
    cat = np.concatenate
    with atomic_open(path, "wb") as fh:
        np.savez(fh, atoms=atoms, edges=edges, numbers=cat([g.numbers for g in graphs]),
                 depth_A=cat([g.depth_A for g in graphs]), centre=cat([g.centre for g in graphs]),
                 neighbour=cat([g.neighbour for g in graphs]), distance_A=cat([g.distance_A for g in graphs]))


def _load_graphs(path: Path) -> list[CrystalGraph]:
    with np.load(path) as z:
        a, e = z["atoms"], z["edges"]
        arrays = {k: z[k] for k in ("numbers", "depth_A", "centre", "neighbour", "distance_A")}
    return [CrystalGraph(arrays["numbers"][a[k]:a[k + 1]], arrays["depth_A"][a[k]:a[k + 1]],
                         arrays["centre"][e[k]:e[k + 1]], arrays["neighbour"][e[k]:e[k + 1]],
                         arrays["distance_A"][e[k]:e[k + 1]]) for k in range(len(a) - 1)]


def structure_file(folder: Path, slab_id: str) -> Path:
    for ext in (".cif", ".vasp", ".POSCAR", ".xyz", ".extxyz"):
        if (folder / f"{slab_id}{ext}").is_file():
            return folder / f"{slab_id}{ext}"
    raise InputError(f"dataset {folder}: no structure file for id {slab_id!r} ({slab_id}.cif)")


def check_elements(graph: CrystalGraph, name: str) -> None:
    bad = graph.numbers[(graph.numbers < 1) | (graph.numbers >= N_ELEMENTS)]
    if len(bad):
        raise InputError(f"{name}: unknown element (atomic number {int(bad[0])}; known: 1..{N_ELEMENTS - 1})")


def load_dataset(spec: DatasetSpec, graph: GraphSettings, log: Optional[Callable[[str], None]] = None
                 ) -> SurfaceDataset:
    """The slabs of ``spec`` (its random subset of ``max_slabs`` when given) with their graphs."""
    folder = dataset_folder(spec)
    ids, values = read_id_prop(folder, spec)
    every = _cache_file(folder, spec, graph, ids)  # the whole set's cache, if it was built
    keep = np.arange(len(ids))
    if spec.max_slabs is not None and spec.max_slabs < len(ids):
        keep = np.sort(np.random.default_rng(spec.subset_seed).choice(len(ids), spec.max_slabs, replace=False))
        ids, values = [ids[i] for i in keep], values[keep]
    cache = _cache_file(folder, spec, graph, ids)
    if cache.is_file():
        graphs = _load_graphs(cache)
    elif every.is_file():
        whole = _load_graphs(every)
        graphs = [whole[i] for i in keep]
    else:
        graphs = []
        for k, slab_id in enumerate(ids):
            if log and k and k % 500 == 0:
                log(f"{folder.name}: {k}/{len(ids)} crystal graphs")
            path = structure_file(folder, slab_id)
            g = build_graph(read_structure(path, str(path)), graph.max_neighbours, graph.radius_A,
                            graph.min_vacuum_A, name=str(path))
            check_elements(g, str(path))
            graphs.append(g)
        _save_graphs(cache, graphs)
    return SurfaceDataset(folder.name, ids, graphs, values, list(spec.columns))
