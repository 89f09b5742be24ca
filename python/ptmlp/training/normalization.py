"""Data-derived constants of a model: neighbour density scale, feature standardisation,
per-species reference energies (least squares) and the energy scale of the networks."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import torch

from ..graph import Graph, batch


@torch.no_grad()
def fit_normalization(model: torch.nn.Module, graphs: Sequence[Graph],
                      energies_eV: Optional[Sequence[float]] = None,
                      forces_eV_per_A: Optional[Sequence[np.ndarray]] = None) -> dict[str, float]:
    """Set ``density_scale``, ``feat_mean``/``feat_std``, ``e0`` and ``energy_scale`` of ``model``.

    - density_scale = 1 / mean number of neighbours, so density coefficients are O(1);
    - features standardised per centre species (std floored at 1% of that species' mean std);
    - e0[s]: least-squares per-species energies of the frame energies (needs ``energies_eV``);
    - energy_scale: RMS force component (eV/angstrom), as in NequIP (needs ``forces_eV_per_A``).
    Returns the fitted scalars for the training log.
    """
    g = batch(list(graphs))
    dtype = model.density_scale.dtype
    g = g.to(model.density_scale.device, dtype)
    n_atoms = g.n_atoms
    mean_neigh = max(float(g.edge_i.shape[0]) / max(n_atoms, 1), 1.0)
    model.density_scale.fill_(1.0 / mean_neigh)
    model.feat_mean.zero_()
    model.feat_std.fill_(1.0)
    feats = model.descriptors(g.edge_vec, g.edge_i, g.edge_j, g.species, n_atoms)
    n_species = model.feat_mean.shape[0]
    for s in range(n_species):
        sel = feats[g.species == s]
        if sel.shape[0] == 0:
            continue
        mean = sel.mean(0)
        std = sel.std(0, unbiased=False) if sel.shape[0] > 1 else torch.ones_like(mean)
        floor = 0.01 * float(std.mean()) if float(std.mean()) > 0 else 1.0
        model.feat_mean[s] = mean
        model.feat_std[s] = std.clamp(min=floor)
    info = {"mean_neighbours": mean_neigh}
    if energies_eV is not None:
        counts = np.zeros((g.n_frames, n_species))
        np.add.at(counts, (g.atom_frame.cpu().numpy(), g.species.cpu().numpy()), 1.0)
        e = np.asarray(energies_eV, dtype=np.float64)
        e0, *_ = np.linalg.lstsq(counts, e, rcond=None)
        model.e0.copy_(torch.as_tensor(e0, dtype=dtype))
        resid = e - counts @ e0
        info["e0_residual_rms_eV_per_atom"] = float(np.sqrt(np.mean((resid / counts.sum(1)) ** 2)))
    if forces_eV_per_A is not None:
        f = np.concatenate([np.asarray(x).reshape(-1) for x in forces_eV_per_A])
        rms = float(np.sqrt(np.mean(f ** 2))) if f.size else 1.0
        model.energy_scale.fill_(rms if rms > 1e-6 else 1.0)
        info["force_rms_eV_per_A"] = rms
    return info
