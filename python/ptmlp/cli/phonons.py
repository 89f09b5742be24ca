"""``ptmlp phonons phonons.yaml``: phonons (bands, DOS, thermal properties, QHA) of a crystal with a
ptmlp model or a classical potential; optionally against a reference potential on one plot."""

from __future__ import annotations

from .workflow_command import add_workflow_command


def add_parser(sub) -> None:
    add_workflow_command(sub, "phonons", help="phonon bands/DOS/thermal properties/QHA (phonopy), model vs reference",
                         description=__doc__, model="ptmlp.phonons.config:PhononsConfig",
                         run="ptmlp.phonons.workflow:run_phonons", default_outdir="phonons_out")
