"""Cheap real oracles for active-learning tests (imported by `ptmlp al run` subprocesses).

EMT (ASE's effective-medium theory, Al/Cu/Ag/Au/Ni/Pd/Pt) with side effects tests need:
every calculation is logged to $PTMLP_TEST_LABEL_LOG, and the flaky one fails on about a
quarter of the structures (chosen by structure hash, so the same ones on every rerun).
"""

from __future__ import annotations

import os

from ase.calculators.emt import EMT

from ptmlp.data.structure_hash import structure_hash


class CountingEMT(EMT):
    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        log = os.environ.get("PTMLP_TEST_LABEL_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(structure_hash(atoms) + "\n")
        super().calculate(atoms, properties, system_changes)


class FlakyEMT(CountingEMT):
    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        if int(structure_hash(atoms), 16) % 4 == 0:
            raise RuntimeError("SCF did not converge (simulated)")
        super().calculate(atoms, properties, system_changes)


def counting_emt():
    return CountingEMT()


def flaky_emt():
    return FlakyEMT()
