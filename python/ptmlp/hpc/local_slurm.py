"""A private single-node SLURM (munged + slurmctld + slurmd) on localhost, for tests and demos.

Everything lives in one folder: ``slurm.conf``, ``gres.conf``, a munge key and socket, the
state/spool folders and the daemon logs. Clients find it through ``SLURM_CONF`` (see
:meth:`LocalSlurm.env`). Free TCP ports are chosen at start, so two copies can run side by
side and a site's own SLURM (if any) is left alone.

Needs root (slurmd starts job steps as the submitting user) and the Debian packages
``slurm-wlm`` and ``munge``. Settings known to work on Debian 12 / SLURM 22.05:
``ProctrackType=proctrack/linuxproc``, ``TaskPlugin=task/none``, ``SelectType=select/cons_tres``,
``SlurmUser=root``, ``MpiDefault=pmi2`` (MPICH's PMI client talks to ``srun``).

Command line::

    python -m ptmlp.hpc.local_slurm start DIR [--cpus N] [--gpus N]   # prints export SLURM_CONF=...
    python -m ptmlp.hpc.local_slurm stop DIR
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from ..errors import PtmlpError

DAEMONS = ("munged", "slurmctld", "slurmd")
_STAND_IN_GPU_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom")


class LocalSlurmError(PtmlpError):
    """Raised when the private SLURM cannot be started (missing packages, not root, daemon died)."""


def missing_requirements() -> Optional[str]:
    """Why a private SLURM cannot start here (None when it can)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root (slurmd launches job steps as the submitting user)"
    missing = [p for p in ("munged", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "scontrol")
               if shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]
    if missing:
        return f"{', '.join(missing)} not installed: apt-get install slurm-wlm munge"
    return None


def _free_ports(n: int) -> list[int]:
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def _sbin(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if found is None:
        raise LocalSlurmError(f"{name} not found: apt-get install slurm-wlm munge")
    return found


class LocalSlurm:
    """A single-node SLURM cluster kept in ``root``; use as a context manager or start()/stop()."""

    def __init__(self, root: str | os.PathLike, cpus: Optional[int] = None, gpus: int = 0,
                 partition: str = "debug", min_job_age_s: int = 300):
        self.root = Path(root).resolve()
        self.cpus = int(cpus or os.cpu_count() or 1)
        self.gpus = int(gpus)
        if not 0 <= self.gpus <= len(_STAND_IN_GPU_DEVICES):
            raise LocalSlurmError(f"gpus={gpus}: a local SLURM declares 0 to {len(_STAND_IN_GPU_DEVICES)} stand-in GPUs")
        self.partition = partition
        self.min_job_age_s = int(min_job_age_s)
        self.node = socket.gethostname().split(".")[0]

    # -- paths -------------------------------------------------------------------------------
    @property
    def conf(self) -> Path:
        return self.root / "slurm.conf"

    @property
    def munge_socket(self) -> Path:
        return self.root / "munge" / "munge.socket"

    def pid_file(self, daemon: str) -> Path:
        return self.root / f"{daemon}.pid"

    def log_file(self, daemon: str) -> Path:
        return self.root / "log" / f"{daemon}.log"

    def env(self, base: Optional[dict] = None) -> dict:
        """Environment for SLURM clients (sbatch, squeue, ...) talking to this cluster."""
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = str(self.conf)
        for key in [k for k in env if k.startswith("SLURM_") and k != "SLURM_CONF"]:
            del env[key]  # a test run inside a SLURM job must not leak that job's settings
        return env

    # -- configuration -----------------------------------------------------------------------
    def write_config(self) -> None:
        for sub in ("state", "spool", "log", "munge"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "munge", 0o700)
        key = self.root / "munge" / "munge.key"
        if not key.exists():
            key.write_bytes(secrets.token_bytes(1024))
        os.chmod(key, 0o600)
        ctld_port, slurmd_port = _free_ports(2)
        gres_node = f" Gres=gpu:{self.gpus}" if self.gpus else ""
        lines = [
            "# private single-node SLURM written by ptmlp.hpc.local_slurm",
            "ClusterName=ptmlplocal",
            # job ids unique across successive private clusters: MPICH names its shared-memory
            # segments after the PMI job/step, and a segment left by a killed job of an earlier
            # cluster with the same id made MPI_Init fail ("Out of memory") in the next one
            f"FirstJobId={1000 + secrets.randbelow(60_000_000)}",
            f"SlurmctldHost={self.node}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}",
            f"SlurmdPort={slurmd_port}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            f"StateSaveLocation={self.root / 'state'}",
            f"SlurmdSpoolDir={self.root / 'spool'}",
            f"SlurmctldPidFile={self.pid_file('slurmctld')}",
            f"SlurmdPidFile={self.pid_file('slurmd')}",
            f"SlurmctldLogFile={self.log_file('slurmctld')}",
            f"SlurmdLogFile={self.log_file('slurmd')}",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_CPU",
            "SchedulerType=sched/backfill",
            "MpiDefault=pmi2",
            "ReturnToService=2",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            f"MinJobAge={self.min_job_age_s}",
            "KillWait=5",
            "OverTimeLimit=0",
            "EnforcePartLimits=ALL",  # refuse at submission what the partition can never run
            "InactiveLimit=0",
            "SlurmctldTimeout=30",
            "SlurmdTimeout=30",
            "SlurmdParameters=config_overrides",
            "GresTypes=gpu" if self.gpus else "",
            f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus}{gres_node} State=UNKNOWN",
            f"PartitionName={self.partition} Nodes={self.node} Default=YES MaxTime=INFINITE State=UP",
        ]
        self.conf.write_text("\n".join(line for line in lines if line) + "\n")
        gres = self.root / "gres.conf"
        # stand-in "GPUs": SLURM wants one device file per GPU; it sets CUDA_VISIBLE_DEVICES from
        # their indices, and a CPU-only torch simply sees no CUDA device
        gres.write_text("".join(f"NodeName={self.node} Name=gpu File={dev}\n"
                                for dev in _STAND_IN_GPU_DEVICES[:self.gpus]))

    # -- daemons -----------------------------------------------------------------------------
    def _pid(self, daemon: str) -> Optional[int]:
        try:
            pid = int(self.pid_file(daemon).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    def running(self) -> bool:
        return all(self._pid(d) is not None for d in DAEMONS)

    def ping(self) -> bool:
        """True when slurmctld answers and the node is idle/allocated (ready for jobs)."""
        try:
            out = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], env=self.env(), capture_output=True,
                                 text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return False
        return any(s.strip().rstrip("*") in ("idle", "mixed", "allocated") for s in out.splitlines())

    def start(self, timeout_s: float = 60) -> "LocalSlurm":
        """Start the daemons (reusing them when this folder's cluster is already up)."""
        reason = missing_requirements()
        if reason:
            raise LocalSlurmError(f"cannot start a local SLURM: {reason}")
        if self.conf.exists() and self.running() and self.ping():
            return self
        self.stop()
        self.write_config()
        subprocess.run([_sbin("munged"), "--force", f"--socket={self.munge_socket}",
                        f"--key-file={self.root / 'munge' / 'munge.key'}",
                        f"--log-file={self.log_file('munged')}", f"--pid-file={self.pid_file('munged')}",
                        f"--seed-file={self.root / 'munge' / 'munge.seed'}"], check=True,
                       capture_output=True, text=True)
        env = self.env()
        subprocess.run([_sbin("slurmctld"), "-c"], env=env, check=True, capture_output=True, text=True)
        subprocess.run([_sbin("slurmd"), "-N", self.node], env=env, check=True, capture_output=True, text=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            if self.ping():
                return self
            dead = [d for d in DAEMONS if self._pid(d) is None]
            if dead and time.monotonic() - t0 > 5:
                self.stop()
                raise LocalSlurmError(f"{dead[0]} died at start: {self.tail_log(dead[0])}")
            time.sleep(0.25)
        self.stop()
        raise LocalSlurmError(f"local SLURM not ready after {timeout_s:.0f} s: {self.tail_log('slurmctld')}")

    def tail_log(self, daemon: str, lines: int = 5) -> str:
        try:
            text = self.log_file(daemon).read_text().strip().splitlines()
        except OSError:
            return f"no {daemon} log"
        return " | ".join(text[-lines:])

    def cancel_all(self, timeout_s: float = 30) -> None:
        """scancel every job of this cluster and wait until slurmd has ended them (running job
        steps outlive a stopped slurmd, so this comes before :meth:`stop`)."""
        def job_ids() -> list[str]:
            try:
                out = subprocess.run(["squeue", "-h", "-o", "%A"], env=self.env(), capture_output=True, text=True,
                                     timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                return []
            return out.stdout.split() if out.returncode == 0 else []

        ids = job_ids()
        if not ids:
            return
        subprocess.run(["scancel", *ids], env=self.env(), capture_output=True, timeout=30)
        t0 = time.monotonic()
        while job_ids() and time.monotonic() - t0 < timeout_s:
            time.sleep(0.5)

    def stop(self, timeout_s: float = 20) -> None:
        """Cancel the cluster's jobs, then stop the daemons this folder's pid files name (slurmd
        first), waiting for each to exit."""
        if self._pid("slurmctld") is not None and self._pid("slurmd") is not None:
            self.cancel_all()
        for daemon in ("slurmd", "slurmctld", "munged"):
            pid = self._pid(daemon)
            if pid is None:
                continue
            os.kill(pid, signal.SIGTERM)
            t0 = time.monotonic()
            while time.monotonic() - t0 < timeout_s:
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)

    def __enter__(self) -> "LocalSlurm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ptmlp.hpc.local_slurm", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("root", help="folder holding the cluster's config, state and logs")
    parser.add_argument("--cpus", type=int, default=None, help="CPUs of the node (default: this machine's)")
    parser.add_argument("--gpus", type=int, default=0, help="GPUs declared as gres (no device binding)")
    args = parser.parse_args(argv)
    cluster = LocalSlurm(args.root, cpus=args.cpus, gpus=args.gpus)
    try:
        if args.action == "start":
            cluster.start()
            print(f"export SLURM_CONF={cluster.conf}")
        elif args.action == "stop":
            cluster.stop()
        else:
            up = cluster.running() and cluster.ping()
            print("up" if up else "down")
            return 0 if up else 1
    except PtmlpError as exc:
        print(f"local_slurm: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
