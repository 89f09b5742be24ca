"""ASE calculator on a ptmlp model file: the same file and the same TorchScript code LAMMPS runs."""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np
import torch
from ase.calculators.calculator import Calculator, all_changes

from .errors import InputError
from .export import load_model
from .graph import atoms_to_graph, evaluate
from .guards import check_finite_results, check_pair_distances, check_positions


class PtmlpCalculator(Calculator):
    """ASE calculator for a ptmlp ``model.pt``.

    Properties: ``energy``/``free_energy`` (eV), ``energies`` (per atom, eV),
    ``forces`` (eV/angstrom), ``stress`` (eV/angstrom^3, Voigt, ASE sign: negative under compression),
    ``stresses`` (per-atom stress, -(symmetrised per-atom centroid virial)/V, eV/angstrom^3, Voigt).
    With ``stresses`` the raw per-atom centroid virial (eV, (N, 3, 3), LAMMPS sign) is also
    left in ``calc.results["atom_virial"]``.

    A structure with two atoms closer than ``ptmlp.guards.MIN_PAIR_DISTANCE_A`` (coincident or
    overlapping atoms), a non-finite position, or a non-finite energy or force from the model
    raises :class:`ptmlp.errors.UnphysicalStructureError` (an InputError) with one line naming the atoms (ASE indices).

    Example::

        atoms.calc = PtmlpCalculator("model.pt")
        atoms.get_potential_energy()
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress", "stresses"]

    def __init__(self, model_path: str | os.PathLike, device: str = "cpu", te_K: Optional[float] = None,
                 **kwargs: Any):
        """``te_K``: electronic temperature (K) for T_e models; ``atoms.info["te_K"]`` overrides it.
        T_e models also return ``results["electronic_entropy"]`` (S_e = -dF/dT_e, eV/K) and
        ``results["electronic_entropies"]`` (per atom)."""
        super().__init__(**kwargs)
        self.model_path = str(model_path)
        self.device = torch.device(device)
        self.model, self.metadata = load_model(self.model_path, self.device)
        self.type_names: list[str] = list(self.metadata["type_names"])
        self.r_cut = float(self.metadata["r_cut"])
        self.dtype = torch.float64 if self.metadata["dtype"] == "float64" else torch.float32
        self.te_spec = self.metadata["electronic_temperature"]
        if te_K is not None and self.te_spec is None:
            raise InputError(f"model {self.model_path} has no electronic-temperature input; drop te_K")
        self.te_K = te_K

    def _te_for(self, atoms) -> Optional[float]:
        if self.te_spec is None:
            return None
        te = atoms.info.get("te_K", self.te_K)
        if te is None or not te > 0:
            raise InputError(f"model {self.model_path} needs the electronic temperature: "
                             "PtmlpCalculator(model, te_K=...) or atoms.info['te_K']")
        return float(te)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        te = self._te_for(atoms)
        who = f"PtmlpCalculator({self.model_path})"
        check_positions(atoms.positions, who)
        host = atoms_to_graph(atoms, self.type_names, self.r_cut, te_K=te)
        edges = (host.edge_vec.numpy(), host.edge_i.numpy(), host.edge_j.numpy())
        check_pair_distances(*edges, who)
        graph = host.to(self.device, self.dtype)
        want_stress = atoms.pbc.all() and ("stress" in properties or "stresses" in properties)
        out = evaluate(self.model, graph, forces=True, virial=want_stress,
                       atom_virial="stresses" in properties and want_stress, entropy=te is not None)
        if te is not None:
            self.results["electronic_entropy"] = float(out["entropy"].detach().sum())
            self.results["electronic_entropies"] = out["atom_entropy"].detach().cpu().double().numpy()
        energy = float(out["energy"].detach().sum())
        check_finite_results(energy, out["forces"].detach().cpu().double().numpy(), *edges, who)
        self.results["energy"] = energy
        self.results["free_energy"] = energy
        self.results["energies"] = out["atom_energy"].detach().cpu().double().numpy()
        self.results["forces"] = out["forces"].detach().cpu().double().numpy()
        if want_stress:
            volume = atoms.get_volume()
            w = out["virial"][0].detach().cpu().double().numpy()
            sigma = -0.5 * (w + w.T) / volume
            self.results["stress"] = sigma.flat[[0, 4, 8, 5, 2, 1]].copy()
            if "atom_virial" in out:
                wa = out["atom_virial"].detach().cpu().double().numpy()
                sa = -0.5 * (wa + wa.transpose(0, 2, 1)) / volume
                self.results["stresses"] = sa.reshape(-1, 9)[:, [0, 4, 8, 5, 2, 1]].copy()
                self.results["atom_virial"] = wa
