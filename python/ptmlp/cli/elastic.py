"""``ptmlp elastic elastic.yaml``: elastic constants at (P, T) (0 K finite strains, or MD through
inputs/elastic.in), symmetry reduction, Born stability, VRH moduli, seismic velocities vs PREM."""

from __future__ import annotations

from .workflow_command import add_workflow_command


def add_parser(sub) -> None:
    add_workflow_command(sub, "elastic", help="elastic constants at (P, T), Born stability, V_P/V_S vs PREM",
                         description=__doc__, model="ptmlp.elastic.config:ElasticConfig",
                         run="ptmlp.elastic.workflow:run_elastic", default_outdir="elastic_out")
