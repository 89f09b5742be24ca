"""Label many structures in parallel (local processes or MPI ranks), never losing a label.

Each labelled frame is appended to the HDF5 dataset as soon as it arrives (atomic append);
each failure (SCF not converged, crash, timeout) is written to ``<dataset>.labels.jsonl``.
Rerunning the same command skips structures already in the dataset (by structure hash) and
those recorded as failed (unless ``retry_failed``).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Optional, Sequence

from ase import Atoms

from ..data.store import open_or_create
from ..data.structure_hash import structure_hash
from ..jsonfile import dumps
from ..progress import Progress
from .base import LabelFailure, Labeler


@dataclass
class LabelReport:
    labelled: int = 0
    skipped_done: int = 0
    skipped_failed: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # reason -> count
    wall_s: float = 0.0

    def line(self) -> str:
        fails = ", ".join(f"{k} {v}" for k, v in sorted(self.failed.items())) or "none"
        return (f"labelled {self.labelled}, already done {self.skipped_done}, skipped (failed before) "
                f"{self.skipped_failed}, failed now: {fails}; {self.wall_s:.0f} s")


def failure_log_path(dataset_path: str) -> str:
    return str(dataset_path) + ".labels.jsonl"


def _read_failures(path: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                line = line.strip()
                if line:  # a torn last line from a crash is ignored
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    out[rec["hash"]] = rec
    return out


def _log_failure(path: str, rec: dict) -> None:
    with open(path, "a") as fh:
        fh.write(dumps(rec, indent=None) + "\n")  # strict JSON, one record a line
        fh.flush()
        os.fsync(fh.fileno())


class _SoftTimeout(BaseException):  # not an Exception: calculators must not swallow it
    pass


def _alarm(signum, frame):
    raise _SoftTimeout()


def _label_one(labeler: Labeler, atoms: Atoms, group: str, timeout_s: Optional[float]):
    """('ok', frame) or ('fail', reason, message); a soft SIGALRM timeout interrupts Python code."""
    if timeout_s:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return ("ok", labeler.label(atoms, group=group))
    except _SoftTimeout:
        labeler._calc = None
        return ("fail", "timeout", f"exceeded {timeout_s} s")
    except LabelFailure as exc:
        return ("fail", exc.reason, exc.message)
    finally:
        if timeout_s:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _worker(conn, labeler: Labeler, timeout_s: Optional[float]) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    while True:
        task = conn.recv()
        if task is None:
            return
        index, atoms, group = task
        conn.send((index,) + _label_one(labeler, atoms, group, timeout_s))


class _Session:
    """Which structures still need labels, and where each result goes."""

    def __init__(self, structures, labeler: Labeler, dataset_path: str, groups, retry_failed: bool,
                 progress: bool, on_result=None):
        self.on_result = on_result
        self.t0 = time.monotonic()
        self.structures, self.labeler = structures, labeler
        self.groups = list(groups) if groups is not None else [""] * len(structures)
        self.ds = open_or_create(dataset_path)
        self.log_path = failure_log_path(self.ds.path)
        done = set(self.ds.hashes())
        failed_before = _read_failures(self.log_path)
        self.report = LabelReport()
        self.hashes: dict[int, str] = {}
        for k, atoms in enumerate(structures):
            h = structure_hash(atoms, labeler.te_K)
            if h in done:
                self.report.skipped_done += 1
            elif h in failed_before and not retry_failed:
                self.report.skipped_failed += 1
            else:
                self.hashes[k] = h
        self.todo = list(self.hashes)
        self.bar = Progress(len(self.todo), f"labelling with {labeler.name}") if progress and self.todo else None

    def handle(self, index: int, result: tuple) -> None:
        if result[0] == "ok":
            self.ds.append([result[1]])
            self.report.labelled += 1
        else:
            reason, message = result[1], result[2]
            self.report.failed[reason] = self.report.failed.get(reason, 0) + 1
            _log_failure(self.log_path, {"hash": self.hashes.get(index, ""), "index": index, "reason": reason,
                                         "message": message, "labeler": self.labeler.name, "time": time.time()})
        if self.bar:
            n_fail = sum(self.report.failed.values())
            self.bar.update(self.report.labelled + n_fail, f"(failed {n_fail})")
        if self.on_result is not None:
            self.on_result(index, result[0])

    def finish(self) -> LabelReport:
        self.report.wall_s = time.monotonic() - self.t0
        return self.report


def label_structures(structures: Sequence[Atoms], labeler: Labeler, dataset_path: str, *,
                     groups: Optional[Sequence[str]] = None, processes: int = 1,
                     timeout_s: Optional[float] = None, retry_failed: bool = False,
                     progress: bool = True, on_result=None) -> LabelReport:
    """Label ``structures`` into ``dataset_path`` with ``processes`` local worker processes.

    A worker stuck past ``timeout_s`` (plus a 10 s grace after the soft alarm) is killed and
    replaced; its frame is recorded as ``timeout``. ``on_result(index, "ok" | "fail")`` is
    called after each frame is stored.
    """
    session = _Session(structures, labeler, dataset_path, groups, retry_failed, progress, on_result)
    if processes <= 1:
        for k in session.todo:
            session.handle(k, _label_one(labeler, structures[k], session.groups[k], timeout_s))
    else:
        _run_pool(structures, session.groups, session.todo, labeler, processes, timeout_s, session.handle)
    return session.finish()


def label_structures_mpi(structures: Sequence[Atoms], labeler: Labeler, dataset_path: str, *,
                         groups: Optional[Sequence[str]] = None, timeout_s: Optional[float] = None,
                         retry_failed: bool = False, progress: bool = True) -> Optional[LabelReport]:
    """The same under ``mpirun -np N``: rank 0 hands out frames and writes results, ranks 1..N-1
    label (timeouts are the soft SIGALRM kind). Returns the report on rank 0, None elsewhere."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    if size == 1:
        return label_structures(structures, labeler, dataset_path, groups=groups, timeout_s=timeout_s,
                                retry_failed=retry_failed, progress=progress)
    if rank != 0:
        while True:
            task = comm.recv(source=0, tag=1)
            if task is None:
                return None
            k, atoms, group = task
            comm.send((k,) + _label_one(labeler, atoms, group, timeout_s), dest=0, tag=2)
    session = _Session(structures, labeler, dataset_path, groups, retry_failed, progress)
    queue = list(session.todo)
    busy = 0
    for worker in range(1, size):
        if queue:
            k = queue.pop(0)
            comm.send((k, structures[k], session.groups[k]), dest=worker, tag=1)
            busy += 1
        else:
            comm.send(None, dest=worker, tag=1)
    status = MPI.Status()
    while busy:
        while not comm.Iprobe(source=MPI.ANY_SOURCE, tag=2, status=status):
            time.sleep(0.02)  # MPICH busy-polls inside recv: keep rank 0 off the cores
        msg = comm.recv(source=status.Get_source(), tag=2)
        worker = status.Get_source()
        session.handle(msg[0], msg[1:])
        if queue:
            k = queue.pop(0)
            comm.send((k, structures[k], session.groups[k]), dest=worker, tag=1)
        else:
            comm.send(None, dest=worker, tag=1)
            busy -= 1
    return session.finish()


def _run_pool(structures, groups, indices, labeler, processes, timeout_s, handle) -> None:
    ctx = mp.get_context("spawn")
    queue = list(indices)
    workers: dict = {}  # conn -> (process, index or None, start time)

    def start_worker():
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, labeler, timeout_s), daemon=True)
        proc.start()
        child.close()
        workers[parent] = [proc, None, 0.0]
        return parent

    def feed(conn):
        if queue:
            k = queue.pop(0)
            workers[conn][1], workers[conn][2] = k, time.monotonic()
            conn.send((k, structures[k], groups[k]))
        else:
            conn.send(None)
            workers[conn][0].join(timeout=10)
            del workers[conn]

    for _ in range(min(processes, len(queue))):
        feed(start_worker())
    hard_limit = None if not timeout_s else timeout_s + 10.0
    while workers:
        ready = wait(list(workers), timeout=1.0)
        for conn in ready:
            proc, k, _ = workers[conn]
            try:
                msg = conn.recv()
            except (EOFError, OSError):  # the worker died (segfault, OOM kill): record and replace it
                if k is not None:
                    handle(k, ("fail", "crash", f"worker process exited with code {proc.exitcode}"))
                del workers[conn]
                if queue:
                    feed(start_worker())
                continue
            handle(msg[0], msg[1:])
            feed(conn)
        if hard_limit:
            now = time.monotonic()
            for conn in [c for c, w in workers.items() if w[1] is not None and now - w[2] > hard_limit]:
                proc, k, _ = workers.pop(conn)
                proc.kill()
                proc.join()
                handle(k, ("fail", "timeout", f"killed after {hard_limit:.0f} s"))
                if queue:
                    feed(start_worker())
