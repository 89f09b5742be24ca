"""``ptmlp slurm render|submit|status``: sbatch templates filled from a validated YAML file.

    ptmlp slurm render job.yaml               # write NAME.sbatch into the job's workdir
    ptmlp slurm render --example [TEMPLATE]   # a complete commented job file of a template
    ptmlp slurm submit job.yaml            # render + sbatch; jobs recorded in job.state.json
    ptmlp slurm status job.state.json [--wait] [--resubmit-failed] [--cancel]

``status`` exits 0 when every job completed, 1 when one failed or still runs (with --wait:
only when one failed), so scripts can chain on it.
"""

from __future__ import annotations

from pathlib import Path

from .common import add_check_argument, require_config


def add_parser(sub) -> None:
    p = sub.add_parser("slurm", help="render, submit and track SLURM jobs from the slurm/ templates")
    actions = p.add_subparsers(dest="action", required=True)

    r = actions.add_parser("render", help="validate a job/workflow YAML and write its sbatch scripts")
    _config_arguments(r)
    r.add_argument("--out-dir", default=None, help="write scripts here (default: each job's workdir)")
    r.set_defaults(run=run_render)

    s = actions.add_parser("submit", help="render and sbatch the jobs, recording them in a state file")
    _config_arguments(s)
    s.add_argument("--state", default=None, help="state file (default: JOBS.state.json beside the YAML)")
    s.add_argument("--only", nargs="+", default=None, help="submit only these jobs of a workflow")
    s.add_argument("--wait", action="store_true", help="wait until the jobs have finished")
    s.add_argument("--poll-s", type=float, default=10.0, help="seconds between state queries with --wait")
    s.add_argument("--timeout-s", type=float, default=None, help="give up waiting after this long")
    s.set_defaults(run=run_submit)

    t = actions.add_parser("status", help="show (and wait for / resubmit) the jobs of a state file")
    t.add_argument("state", help="state file, or the job YAML it belongs to")
    t.add_argument("--wait", action="store_true", help="wait until every job has finished")
    t.add_argument("--poll-s", type=float, default=10.0, help="seconds between state queries with --wait")
    t.add_argument("--timeout-s", type=float, default=None, help="give up waiting after this long")
    t.add_argument("--resubmit-failed", action="store_true",
                   help="resubmit failed jobs / array elements (only those indices)")
    t.add_argument("--cancel", action="store_true", help="scancel every unfinished job")
    t.add_argument("--json", action="store_true", help="print the state file's jobs as JSON")
    t.set_defaults(run=run_status)


_TEMPLATES = "lammps_mpi, lammps_multinode, lammps_gpu, lammps_array, command"


def _config_arguments(parser) -> None:
    parser.add_argument("config", nargs="?", help="job or workflow YAML file; `--example TEMPLATE` prints every "
                                                  "key of a template with its default, unit and meaning")
    parser.add_argument("--example", nargs="?", const="lammps_mpi", default=None, metavar="TEMPLATE",
                        help=f"print a complete commented job file of TEMPLATE ({_TEMPLATES}; default "
                             "lammps_mpi) and exit")
    add_check_argument(parser)


def _example(args) -> bool:
    if args.example is None:
        return False
    from ..errors import InputError
    from ..hpc.jobspec import TEMPLATES, example

    if args.example not in TEMPLATES:
        raise InputError(f"--example {args.example}: templates are {', '.join(TEMPLATES)}")
    print(example(args.example), end="")
    return True


def run_render(args) -> int:
    from ..hpc.submit import render_file

    if _example(args):
        return 0
    path = require_config(args, "slurm render")
    for rendered in render_file(path, Path(args.out_dir) if args.out_dir else None):
        extra = f" + {rendered.tasks_file}" if rendered.tasks_file else ""
        print(f"{rendered.job.name}: {rendered.script}{extra}")
    return 0


def run_submit(args) -> int:
    from ..hpc.submit import submit_file

    if _example(args):
        return 0
    state = submit_file(require_config(args, "slurm submit"), args.state, only=args.only)
    for name, job in state.jobs.items():
        sub = job["submissions"][-1]
        dep = f" ({sub['dependency']})" if sub.get("dependency") else ""
        print(f"{name}: job {sub['job_id']}{dep}")
    print(f"state: {state.path}")
    if args.wait:
        ok = state.wait(poll_s=args.poll_s, timeout_s=args.timeout_s)
        print(state.table())
        return 0 if ok else 1
    return 0


def _state_path(arg: str) -> Path:
    from ..hpc.submit import default_state_path

    path = Path(arg)
    return default_state_path(path) if path.suffix in (".yaml", ".yml") else path


def run_status(args) -> int:
    from ..errors import InputError
    from ..jsonfile import dumps
    from ..hpc.workflow_state import WorkflowState

    path = _state_path(args.state)
    if not path.exists():
        raise InputError(f"workflow state {path}: no such file (submit first: ptmlp slurm submit JOBS.yaml)")
    state = WorkflowState(path)
    if args.cancel:
        state.cancel()
    if args.resubmit_failed:
        for name, job_id in state.resubmit_failed().items():
            print(f"{name}: resubmitted failed elements as job {job_id}")
    if args.wait:
        state.wait(poll_s=args.poll_s, timeout_s=args.timeout_s)
    else:
        state.refresh()
    print(dumps(state.jobs, indent=1) if args.json else state.table())
    failed = state.failed()
    for name, keys in failed.items():
        print(f"failed: {name} elements {','.join(keys)}")
    return 0 if state.finished() and not failed else 1
