"""A tiny TorchScript model that returns NaN below a chosen pair distance (for the guard tests).

``sqrt``: E_i = sum_j sqrt(r_ij - r_bad): energy and forces are NaN once a pair is closer than r_bad.
``log``:  E_i = sum_j log(r_ij - r_bad) for r_ij < r_bad only through the value: the energy is NaN,
the forces (1/(r - r_bad)) stay finite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import torch

from ptmlp.metadata import METADATA_FILE


class NonFiniteBelow(torch.nn.Module):
    def __init__(self, r_bad_A: float, mode: str):
        super().__init__()
        self.r_bad = r_bad_A
        self.use_log = mode == "log"

    def forward(self, edge_vec: torch.Tensor, edge_i: torch.Tensor, edge_j: torch.Tensor, species: torch.Tensor,
                n_local: int, te: Optional[torch.Tensor]) -> torch.Tensor:
        r = (edge_vec * edge_vec).sum(-1).sqrt()
        if self.use_log:
            # value NaN below r_bad, derivative finite: log|x| + log(sign) with the sign term constant
            x = r - self.r_bad
            term = torch.log(x.abs()) + torch.log(torch.sign(x).detach())
        else:
            term = torch.sqrt(r - self.r_bad)
        return torch.zeros(n_local, dtype=edge_vec.dtype).index_add(0, edge_i, term)


def write_nonfinite_model(path: Path, r_bad_A: float = 2.3, mode: str = "sqrt", r_cut_A: float = 3.0) -> Path:
    meta = {"format_version": 1, "type_names": ["Fe"], "r_cut": r_cut_A, "dtype": "float64", "energy_unit": "eV",
            "length_unit": "angstrom", "electronic_temperature": None,
            "architecture": {"name": f"nonfinite_{mode}_below_{r_bad_A}"}, "training": {}}
    scripted = torch.jit.script(NonFiniteBelow(r_bad_A, mode))
    torch.jit.save(scripted, str(path), _extra_files={METADATA_FILE: json.dumps(meta)})
    return path
