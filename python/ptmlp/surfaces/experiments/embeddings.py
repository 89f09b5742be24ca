"""``ptmlp surfaces embeddings``: Pearson correlation matrix of the element embeddings of a trained
model (the elements it was trained on), ordered by Mendeleev number (Pettifor; pymatgen's table)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from ase.data import atomic_numbers

from ...jsonfile import write_json
from .. import plots
from ..export import load_surface_model
from .config import EmbeddingsConfig


def embedding_correlations(model_file: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(elements ordered by Mendeleev number, their Mendeleev numbers, Pearson matrix)."""
    from pymatgen.core import Element

    module, meta = load_surface_model(model_file)
    table = module.state_dict()["element_embedding.weight"].double().numpy()
    elements = sorted(meta["elements"], key=lambda s: Element(s).mendeleev_no)
    vectors = table[[atomic_numbers[s] for s in elements]]
    return elements, np.array([Element(s).mendeleev_no for s in elements]), np.corrcoef(vectors)


def run_embeddings(cfg: EmbeddingsConfig, log: Callable[[str], None] = print) -> dict:
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    elements, mendeleev, corr = embedding_correlations(cfg.model)
    plot = plots.correlation_matrix(corr, elements, out / "embedding_correlation.png",
                                    f"element embeddings (Pearson r), Mendeleev order")
    # neighbours in the Mendeleev order should correlate more than distant pairs if chemistry was learnt
    n = len(elements)
    near = [corr[i, i + 1] for i in range(n - 1)]
    far = [corr[i, j] for i in range(n) for j in range(i + 2, n)]
    result = {"model": cfg.model, "elements": elements, "mendeleev_numbers": mendeleev.tolist(),
              "pearson": corr.tolist(), "mean_r_adjacent": float(np.mean(near)) if near else None,
              "mean_r_others": float(np.mean(far)) if far else None, "plot": plot}
    write_json(out / "embeddings.json", result)
    log(f"{n} elements; mean r of Mendeleev neighbours {result['mean_r_adjacent']}, of the others "
        f"{result['mean_r_others']}")
    return result
