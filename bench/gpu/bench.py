"""The #22 GPU check, stage by stage (started by bench/gpu/run.sh; see there for how to run it).

Stages: probe (hardware, versions) -> kit (LAMMPS + MPI) -> build (CUDA plugin) -> models (float64
demo model and its float32 copy) -> consistency (device vs CPU, float64 to 1e-8 eV/atom and 1e-6 eV/A)
-> timing (bcc Fe NVT: ptmlp float64 and float32 on the device, eam/fs on the CPU cores with MPI;
a PTMLP_PROFILE run per size and dtype gives the phases and the peak device memory).
A stage that fails is recorded with a one-line reason and the next stage runs where it can. After
every stage $OUT/gpu_bench.json (strict JSON) and $OUT/gpu_bench.md are rewritten, so a run cut
short still leaves what it measured. Runs with the GPU machine's python3 (torch + numpy; the ptmlp
package is not installed there: only its stdlib-only JSON writer is imported from python/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptmlp.jsonfile import write_json  # noqa: E402  (stdlib only: runs without ptmlp's dependencies)

import float32_model  # noqa: E402
import report  # noqa: E402

EPS32 = float(np.finfo(np.float32).eps)
F32_BOUND = 100 * EPS32  # times the scale (max |e_atom|, max |F|): see tests/integration/test_float32_model.py
A_FE_A = 2.855  # bcc Fe lattice constant of the tests' bcc_fe_input
MASS_FE = 55.845
SIZES = {"2000": (10, 10, 10), "32000": (20, 20, 40), "256000": (40, 40, 80)}
DEMO = REPO / "python" / "ptmlp" / "demo" / "fe_demo.pt"
TOL64 = {"energy_eV_per_atom": 1e-8, "atom_energy_eV": 1e-8, "force_eV_per_A": 1e-6, "pressure_bar": 1e-3}


class StageError(Exception):
    """A stage cannot go on; the message is its one-line reason."""


def say(t0: float, text: str) -> None:
    print(f"[gpu_bench {time.time() - t0:6.1f} s] {text}", flush=True)


def first_error(text: str) -> str:
    for ln in text.splitlines():
        if ln.startswith("ERROR") or "error:" in ln.lower() or "out of memory" in ln.lower():
            return ln.strip()[:300]
    tail = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return tail[-1][:300] if tail else "no output"


class Bench:
    def __init__(self, args):
        self.a = args
        self.t0 = time.time()
        self.deadline = self.t0 + args.budget_s
        self.work = Path(args.work).resolve()
        self.out = Path(args.out).resolve()
        self.logs = self.work / "logs"
        for d in (self.work, self.out, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.env = {}  # LD_LIBRARY_PATH etc. for lmp
        self.lmp = self.mpirun = self.plugin = self.eam = None
        self.models = {}
        self.res = {"schema": "ptmlp gpu bench 1", "issue": 22,
                    "date_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "mode": "cpu_only_dry_run" if args.cpu_only else "gpu",
                    "settings": {"time_s_per_segment": args.time_s, "segments": args.segments,
                                 "warmup_steps": args.warmup_steps, "mpi_ranks_cpu": args.np,
                                 "gpu_host_threads": args.gpu_host_threads, "budget_s": args.budget_s,
                                 "sizes": args.sizes, "lattice_A": A_FE_A, "temperature_K": 1000.0,
                                 "timestep_ps": 0.001, "ensemble": "NVT (Nose-Hoover, Tdamp 0.1 ps)"},
                    "stages": {}}

    # ------------------------------------------------------------------ bookkeeping
    def left_s(self) -> float:
        return self.deadline - time.time()

    def save(self) -> None:
        self.res["elapsed_s"] = round(time.time() - self.t0, 1)
        write_json(self.out / "gpu_bench.json", self.res)
        (self.out / "gpu_bench.md").write_text(report.markdown(self.res))

    def stage(self, name: str, fn) -> None:
        say(self.t0, f"stage {name} ...")
        start = time.time()
        rec = {"status": "ok"}
        try:
            rec.update(fn() or {})
        except StageError as e:
            rec = {"status": "failed", "error": str(e)}
        except (Exception, SystemExit) as e:  # noqa: BLE001 - a stage's bug must not cost the other stages
            rec = {"status": "failed", "error": f"{type(e).__name__}: {first_error(str(e))}"}
        rec["wall_s"] = round(time.time() - start, 1)
        self.res["stages"][name] = rec
        say(self.t0, f"stage {name}: {rec['status']}" + (f" ({rec['error']})" if "error" in rec else ""))
        self.save()

    def need(self, *what: str) -> None:
        for w in what:
            if getattr(self, w) is None:
                raise StageError(f"skipped: needs {w} (an earlier stage failed)")

    def run(self, name: str, text: str, nprocs: int = 1, env_extra=None, cap_s: float = 300.0) -> str:
        """Runs lmp on `text` in work/runs/<name>; returns stdout+stderr; StageError on failure."""
        wd = self.work / "runs" / name
        wd.mkdir(parents=True, exist_ok=True)
        (wd / "in.lmp").write_text(text)
        cmd = [str(self.lmp), "-in", "in.lmp", "-nocite", "-log", "log.lammps"]
        if nprocs > 1:
            cmd = [str(self.mpirun), "-np", str(nprocs)] + cmd
        env = {k: v for k, v in os.environ.items() if k not in ("LAMMPS_PLUGIN_PATH", "PTMLP_PLUGIN_DIR")}
        env.update(self.env)
        env.setdefault("OMP_NUM_THREADS", "1")
        env.update(env_extra or {})
        timeout = min(cap_s, self.left_s())
        if timeout < 5:
            raise StageError(f"skipped: time budget ({self.a.budget_s:.0f} s) spent")
        try:
            p = subprocess.run(cmd, cwd=wd, capture_output=True, text=True, env=env, timeout=timeout)
            text_out = p.stdout + "\n" + p.stderr
        except subprocess.TimeoutExpired as e:
            (self.logs / f"{name}.txt").write_text(str(e.stdout or "") + str(e.stderr or ""))
            raise StageError(f"{name}: no end after {timeout:.0f} s (killed)") from None
        (self.logs / f"{name}.txt").write_text(text_out)
        if p.returncode != 0:
            raise StageError(f"{name}: lmp exit {p.returncode}: {first_error(text_out)}")
        return text_out

    # ------------------------------------------------------------------ stages
    def probe(self) -> dict:
        info = {"host": platform.node(), "cpu_cores": os.cpu_count(), "python": sys.version.split()[0],
                "cpu_model": next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                                   if ln.startswith("model name")), None)}
        try:
            import torch
            info["torch"] = torch.__version__
            info["torch_cuda"] = torch.version.cuda
            info["torch_sees_gpu"] = bool(torch.cuda.is_available())
        except ImportError as e:
            info["torch"] = f"not importable: {e}"
        smi = shutil.which("nvidia-smi")
        if smi:
            q = subprocess.run([smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                               capture_output=True, text=True)
            info["gpu"] = q.stdout.strip() or first_error(q.stderr)
        nvcc = shutil.which("nvcc") or ("/usr/local/cuda/bin/nvcc" if Path("/usr/local/cuda/bin/nvcc").exists() else None)
        if nvcc:
            v = subprocess.run([nvcc, "--version"], capture_output=True, text=True).stdout
            info["nvcc"] = (re.findall(r"release ([0-9.]+)", v) or ["?"])[0]
        if not self.a.cpu_only and not info.get("torch_sees_gpu"):
            self.res["hardware"] = info
            raise StageError("torch sees no GPU here (run with CPU_ONLY=1 for the dry run)")
        self.res["hardware"] = info
        return {}

    def kit(self) -> dict:
        site, mpi, pots = os.environ.get("LAMMPS_SITE"), os.environ.get("MPI_PREFIX"), None
        kit = Path(self.a.kit)
        if site and mpi:
            source = "LAMMPS_SITE/MPI_PREFIX"
        elif (kit / "kit.tar.xz").is_file():
            dest = self.work / "kit"
            shutil.rmtree(dest, ignore_errors=True)
            with tarfile.open(kit / "kit.tar.xz") as tar:
                tar.extractall(dest, filter="tar")
            site, mpi, pots, source = str(dest / "site"), str(dest / "mpi"), dest / "potentials", str(kit)
        elif self.a.cpu_only:
            import sysconfig
            site, mpi, source = sysconfig.get_paths()["purelib"], sys.prefix, "this venv"
        else:
            raise StageError(f"no LAMMPS: carry {kit} (made by bench/gpu/make_kit.py) or set LAMMPS_SITE and MPI_PREFIX")
        lmp, mpirun = Path(site) / "lammps" / "lmp", Path(mpi) / "bin" / "mpirun"
        for f in (lmp, mpirun):
            if not os.access(f, os.X_OK):
                raise StageError(f"no executable {f}")
        if pots is None:
            pots = Path(site) / "lammps" / "share" / "lammps" / "potentials"
        eam = pots / "Fe_mm.eam.fs"
        if not eam.is_file():
            raise StageError(f"no {eam}")
        self.env = {"LD_LIBRARY_PATH": f"{mpi}/lib" + (":" + os.environ["LD_LIBRARY_PATH"]
                                                        if os.environ.get("LD_LIBRARY_PATH") else "")}
        self.lmp, self.mpirun, self.eam = lmp, mpirun, eam
        self.site, self.mpi = site, mpi
        v = subprocess.run([str(lmp), "-h"], capture_output=True, text=True, env=os.environ | self.env)
        version = (re.findall(r"Large-scale Atomic/Molecular Massively Parallel Simulator - (.+)", v.stdout) or ["?"])[0]
        return {"source": source, "lammps": version.strip(), "lmp": str(lmp), "eam_file": str(eam)}

    def build(self) -> dict:
        self.need("lmp")
        if self.a.plugin:
            self.plugin = Path(self.a.plugin).resolve()
            if not self.plugin.is_file():
                raise StageError(f"no plugin at {self.plugin}")
            return {"plugin": str(self.plugin), "note": "given (not built here)"}
        log = self.out / "build.log"
        env = os.environ | {"TORCH_PYTHON": sys.executable, "LAMMPS_SITE": self.site, "MPI_PREFIX": self.mpi,
                            "JOBS": str(os.cpu_count() or 4)}
        cmd = ["bash", str(REPO / "tools" / "build_cuda_plugin.sh"), "-", str(self.work / "build")]
        with open(log, "w") as fh:
            try:
                p = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, timeout=min(400, self.left_s()))
            except subprocess.TimeoutExpired:
                raise StageError("tools/build_cuda_plugin.sh did not finish in time (see build.log)") from None
        text = log.read_text()
        if p.returncode != 0:
            errs = [ln for ln in text.splitlines() if "error" in ln.lower()]
            raise StageError(f"tools/build_cuda_plugin.sh exit {p.returncode}: {(errs or [first_error(text)])[-1][:300]}")
        self.plugin = self.work / "build" / "plugin" / "ptmlpplugin.so"
        smoke = re.findall(r"device cuda: (rank 0 on CUDA device .*)", text)
        built = re.findall(r"built in (\d+) s", text)
        return {"plugin": str(self.plugin), "build_s": int(built[0]) if built else None,
                "smoke": smoke[0] if smoke else None}

    def make_models(self) -> dict:
        f32 = self.work / "fe_demo_f32.pt"
        float32_model.main(str(DEMO), str(f32))
        self.models = {"float64": DEMO, "float32": f32}
        return {"float64": str(DEMO), "float32": str(f32)}

    # device words / environment of "the device" and of the CPU reference
    def device(self, share: bool = False) -> tuple[str, dict, str]:
        if self.a.cpu_only:  # the device path with the CPU as its device (the code CUDA runs)
            return "device cpu", {"PTMLP_STAGED": "1"}, "device path"
        return "device cuda share" if share else "device cuda", \
            {"OMP_NUM_THREADS": str(self.a.gpu_host_threads)}, "on CUDA device"

    def lattice(self, cells, body: str) -> str:
        nx, ny, nz = cells
        load = f"plugin load {self.plugin}\n" if "ptmlp" in body else ""
        return (f"{load}units metal\natom_style atomic\nlattice bcc {A_FE_A}\n"
                f"region box block 0 {nx} 0 {ny} 0 {nz}\ncreate_box 1 box\ncreate_atoms 1 box\n"
                f"mass 1 {MASS_FE}\n{body}")

    def consistency(self) -> dict:
        self.need("plugin", "lmp")
        if not self.models:
            raise StageError("skipped: needs the models stage")
        cells = tuple(self.a.consistency_cells)
        body = ("displace_atoms all random 0.1 0.1 0.1 12345\n"
                "pair_style ptmlp {model} {words}\npair_coeff * * Fe\n"
                "compute pea all pe/atom\n"
                "dump d all custom 1 dump.txt id x y z fx fy fz c_pea\ndump_modify d sort id format float %.17g\n"
                "run 0\nprint \"PTMLP_RESULT $(pe:%.17g) $(pxx:%.17g) $(pyy:%.17g) $(pzz:%.17g) "
                "$(pxy:%.17g) $(pxz:%.17g) $(pyz:%.17g)\"\n")
        words, env, marker = self.device()
        sharew, _, _ = self.device(share=True)
        runs = {"cpu_float64": (self.models["float64"], "device cpu", {}, 1, "rank 0 on CPU"),
                "device_float64": (self.models["float64"], words, env, 1, marker),
                "device_float32": (self.models["float32"], words, env, 1, marker),
                "device_float64_2ranks": (self.models["float64"], sharew, env, 2, marker)}
        got, out = {}, {"atoms": 2 * int(np.prod(cells)), "tolerances_float64": TOL64,
                        "float32_bound": f"{F32_BOUND:.3g} x scale (max |e_atom|, max |F|) = 100 eps32"}
        for name, (model, w, e, n, mark) in runs.items():
            try:
                text = self.run(f"consistency_{name}", self.lattice(cells, body.format(model=model, words=w)), n, e)
                if mark not in text:
                    raise StageError(f"{name}: the log does not say '{mark}'")
                got[name] = self.read_static(self.work / "runs" / f"consistency_{name}", text)
            except StageError as err:
                out[name] = {"status": "failed", "error": str(err)}
        if "cpu_float64" not in got:
            raise StageError(out.get("cpu_float64", {}).get("error", "the CPU reference failed"))
        ref, ok = got["cpu_float64"], True
        for name in ("device_float64", "device_float32", "device_float64_2ranks"):
            if name not in got:
                ok = False
                continue
            d = compare(got[name], ref)
            if name.endswith("float32"):
                d["pass"] = bool(d["max_atom_energy_diff_eV"] < F32_BOUND * np.abs(ref["pea"]).max()
                                 and d["max_force_diff_eV_per_A"] < F32_BOUND * np.abs(ref["forces"]).max())
            else:
                d["pass"] = bool(d["energy_diff_eV_per_atom"] < TOL64["energy_eV_per_atom"]
                                 and d["max_atom_energy_diff_eV"] < TOL64["atom_energy_eV"]
                                 and d["max_force_diff_eV_per_A"] < TOL64["force_eV_per_A"]
                                 and d["max_pressure_diff_bar"] < TOL64["pressure_bar"])
            ok &= d["pass"]
            out[name] = d
        out["all_pass"] = bool(ok)
        if not ok:
            bad = [k for k, v in out.items() if k.startswith("device") and not v.get("pass", False)]
            out |= {"status": "failed", "error": "device and CPU disagree or a run failed: " + ", ".join(bad)}
        return out

    @staticmethod
    def read_static(wd: Path, text: str) -> dict:
        vals = [float(v) for v in [ln for ln in text.splitlines() if ln.startswith("PTMLP_RESULT")][-1].split()[1:]]
        dump = np.loadtxt(wd / "dump.txt", skiprows=9)  # id x y z fx fy fz c_pea
        # atoms in order of position: create_atoms numbers them differently on 1 and 2 ranks
        key = np.round(dump[:, 1:4], 6)
        dump = dump[np.lexsort((key[:, 2], key[:, 1], key[:, 0]))]
        return {"pe": vals[0], "p": np.array(vals[1:7]), "forces": dump[:, 4:7], "pea": dump[:, 7]}

    def timing(self) -> dict:
        self.need("lmp")
        sizes, out = [s for s in self.a.sizes], {}
        for size in sizes:
            cells = SIZES.get(size) or tuple(int(c) for c in size.split("x"))
            atoms = 2 * int(np.prod(cells))
            row = out.setdefault(str(atoms), {"cells": list(cells)})
            plan = [("eam_fs_cpu", None)]
            if self.plugin is not None and self.models:
                plan = [("ptmlp_float64", "float64"), ("ptmlp_float32", "float32")] + plan
            for key, dtype in plan:
                say(self.t0, f"  {atoms} atoms: {key}")
                try:
                    row[key] = self.timed(cells, atoms, dtype, out)
                except StageError as err:
                    row[key] = {"status": "failed", "error": str(err)}
                    say(self.t0, f"  {atoms} atoms: {key} failed: {err}")
                self.res["stages"]["timing"] = {"status": "running", "sizes": out}
                self.save()
        bad = [f"{n} atoms {k}" for n, row in out.items() for k, v in row.items()
               if isinstance(v, dict) and v.get("status") == "failed"]
        if bad:
            return {"status": "failed", "error": f"{len(bad)} run(s) failed: " + "; ".join(bad), "sizes": out}
        return {"sizes": out}

    def md_body(self, pair: str, segments: int) -> str:
        seg = "".join(f"timer timeout {self.a.time_s} every 1\nrun 100000000{' post no' if k < segments - 1 else ''}\n"
                      for k in range(segments))
        return (f"{pair}\nvelocity all create 2000.0 4928459 loop geom\n"
                "fix nvt all nvt temp 1000.0 1000.0 0.1\ntimestep 0.001\nthermo 1000\n"
                f"run {self.a.warmup_steps}\n{seg}")

    def timed(self, cells, atoms: int, dtype: str | None, sizes_so_far: dict) -> dict:
        if dtype is None:  # eam/fs on the CPU cores
            body = self.md_body(f"pair_style eam/fs\npair_coeff * * {self.eam} Fe", self.a.segments)
            text = self.run(f"time_{atoms}_eam", self.lattice(cells, body), self.a.np)
            return rates(text) | {"mpi_ranks": self.a.np}
        words, env, marker = self.device()
        self.check_memory(atoms, dtype, sizes_so_far)
        pair = f"pair_style ptmlp {self.models[dtype]} {words}\npair_coeff * * Fe"
        rec = {}
        try:  # profile first: its peak device memory also sizes the next, larger system
            text = self.run(f"profile_{atoms}_{dtype}", self.lattice(cells, self.md_body(pair, 1)),
                            env_extra=env | {"PTMLP_PROFILE": "1"})
            rec["profile"] = profile(text)
            peak = rec["profile"]["counts"].get("peak device bytes")
            if peak:
                rec["peak_device_bytes"] = peak
                rec["device_bytes_per_atom"] = round(peak / atoms, 1)
        except StageError as err:
            rec["profile"] = {"status": "failed", "error": str(err)}
        text = self.run(f"time_{atoms}_{dtype}", self.lattice(cells, self.md_body(pair, self.a.segments)),
                        env_extra=env)
        if marker not in text:
            raise StageError(f"the log does not say '{marker}'")
        return rec | rates(text)

    def check_memory(self, atoms: int, dtype: str, sizes_so_far: dict) -> None:
        """Skip a size whose predicted peak (bytes/atom of a smaller size) exceeds the free GPU memory."""
        if self.a.cpu_only or not shutil.which("nvidia-smi"):
            return
        per_atom = [v[f"ptmlp_{dtype}"].get("device_bytes_per_atom") for v in sizes_so_far.values()
                    if isinstance(v.get(f"ptmlp_{dtype}"), dict)]
        per_atom = [p for p in per_atom if p]
        if not per_atom:
            return
        q = subprocess.run(["nvidia-smi", "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
                           capture_output=True, text=True)
        try:
            free = float(q.stdout.split()[0]) * 2**20
        except (ValueError, IndexError):
            return
        need = per_atom[-1] * atoms
        if need > 0.92 * free:
            raise StageError(f"skipped: predicted {need / 2**30:.1f} GiB ({per_atom[-1]:.0f} B/atom) > "
                             f"{free / 2**30:.1f} GiB free on the GPU")

    def finish(self) -> None:
        with tarfile.open(self.out / "logs.tar.gz", "w:gz") as tar:
            tar.add(self.logs, arcname="logs")
            for wd in sorted((self.work / "runs").glob("*")):
                if (wd / "in.lmp").exists():
                    tar.add(wd / "in.lmp", arcname=f"inputs/{wd.name}.lmp")
        self.save()


def compare(a: dict, ref: dict) -> dict:
    n = len(ref["pea"])
    return {"energy_diff_eV_per_atom": abs(a["pe"] - ref["pe"]) / n,
            "max_atom_energy_diff_eV": float(np.abs(a["pea"] - ref["pea"]).max()),
            "max_force_diff_eV_per_A": float(np.abs(a["forces"] - ref["forces"]).max()),
            "max_pressure_diff_bar": float(np.abs(a["p"] - ref["p"]).max()),
            "force_sum_eV_per_A": float(np.abs(a["forces"].sum(0)).max()),
            "max_force_eV_per_A": float(np.abs(ref["forces"]).max())}


LOOP = re.compile(r"^Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms", re.M)
BREAKDOWN = re.compile(r"^(Pair|Neigh|Comm|Output|Modify|Other)\s+\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|.*\|\s*(\S+)\s*$",
                       re.M)


def rates(text: str) -> dict:
    """katom-step/s of the timed segments (all Loop-time lines after the warm-up's), mean and its
    standard error; LAMMPS's time breakdown (% of the last segment)."""
    loops = LOOP.findall(text)[1:]
    if not loops:
        raise StageError("no timed 'Loop time' line in the log")
    r = [int(n) * int(at) / float(t) / 1e3 for t, _, n, at in loops]
    steps = sum(int(n) for _, _, n, _ in loops)
    mean = statistics.fmean(r)
    sem = statistics.stdev(r) / len(r) ** 0.5 if len(r) > 1 else None
    parts = {m[0].lower(): float(m[4]) for m in BREAKDOWN.findall(text)[-6:]}
    return {"katom_steps_per_s": round(mean, 3), "katom_steps_per_s_sem": None if sem is None else round(sem, 3),
            "segments_katom_steps_per_s": [round(x, 3) for x in r], "steps": steps,
            "seconds": round(sum(float(t) for t, _, _, _ in loops), 3), "lammps_breakdown_percent": parts}


PROFILE = re.compile(r"^ptmlp profile: (.+?)\s+([0-9.]+) s in\s+(\d+) calls", re.M)
COUNT = re.compile(r"^ptmlp profile: count (.+?)\s+(-?\d+)$", re.M)


def profile(text: str) -> dict:
    phases = {m[0]: {"seconds": float(m[1]), "calls": int(m[2])} for m in PROFILE.findall(text)}
    if not phases:
        raise StageError("no 'ptmlp profile:' lines (PTMLP_PROFILE=1 printed nothing)")
    total = sum(p["seconds"] for p in phases.values())
    for p in phases.values():
        p["percent"] = round(100 * p["seconds"] / total, 1) if total else None
    return {"phases": phases, "counts": {m[0]: int(m[1]) for m in COUNT.findall(text)},
            "note": "whole run incl. warm-up; the device syncs after each phase while profiling"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="the #22 GPU check (see bench/gpu/run.sh)")
    p.add_argument("--out", required=True, help="folder for gpu_bench.json, gpu_bench.md, build.log, logs.tar.gz")
    p.add_argument("--work", default="/tmp/ptmlp_gpu_bench", help="scratch folder (kit, build, runs)")
    p.add_argument("--kit", default=str(REPO / "build" / "gpu_kit"), help="folder holding kit.tar.xz")
    p.add_argument("--cpu-only", action="store_true", help="dry run: CPU plugin, the device path on the CPU")
    p.add_argument("--plugin", help="use this plugin instead of building the CUDA one")
    p.add_argument("--sizes", nargs="+", default=list(SIZES), help="atoms (2000 32000 256000) or NXxNYxNZ cells")
    p.add_argument("--time-s", type=float, default=4.0, help="seconds per timed segment")
    p.add_argument("--segments", type=int, default=3, help="timed segments per run (mean +- standard error)")
    p.add_argument("--warmup-steps", type=int, default=10)
    p.add_argument("--np", type=int, default=os.cpu_count() or 1, help="MPI ranks of the eam/fs baseline")
    p.add_argument("--gpu-host-threads", type=int, default=1, help="OMP_NUM_THREADS of the device runs")
    p.add_argument("--consistency-cells", type=int, nargs=3, default=[10, 10, 10])
    p.add_argument("--budget-s", type=float, default=450.0, help="stop starting runs after this many seconds")
    p.add_argument("--stages", nargs="+", default=["consistency", "timing"], choices=["consistency", "timing"])
    return p.parse_args(argv)


def main(argv=None) -> int:
    b = Bench(parse_args(argv))
    b.stage("probe", b.probe)
    b.stage("kit", b.kit)
    b.stage("build", b.build)
    b.stage("models", b.make_models)
    for name in b.a.stages:
        b.stage(name, getattr(b, name))
    b.finish()
    failed = [k for k, v in b.res["stages"].items() if v["status"] != "ok"]
    say(b.t0, f"done: {b.out}/gpu_bench.json, gpu_bench.md" + (f"; failed: {', '.join(failed)}" if failed else ""))
    print(report.markdown(b.res), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
