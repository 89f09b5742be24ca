"""MD speed through a model's ASE calculator (models without a LAMMPS route here).

    python time_ase.py SPEC.json BOX.extxyz OUT.json THREADS WARM ROUNDS TARGET_S

Same box, temperature and velocities as the LAMMPS route (300 K Gaussian, seed 4928, momentum
removed), velocity Verlet at 1 fs; ``WARM`` untimed steps, then ``ROUNDS`` timed runs of as many
steps as fit in ``TARGET_S`` seconds (at least one). Writes {"loops": [[seconds, 1, steps, atoms], ..],
"cpu_seconds": [process CPU time of each round (all threads)]}.
"""

from __future__ import annotations

import json
import sys
import time


def main(spec_path, box_path, out, threads, warm, rounds, target_s) -> int:
    import torch
    from ase import units
    from ase.io import read
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
    from ase.md.verlet import VelocityVerlet

    from predict import calculator

    torch.set_num_threads(int(threads))
    spec = json.loads(open(spec_path).read())
    atoms = read(box_path)
    MaxwellBoltzmannDistribution(atoms, temperature_K=300.0, rng=__import__("numpy").random.default_rng(4928))
    Stationary(atoms)
    atoms.calc = calculator(spec)
    md = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    md.run(int(warm))
    loops, cpu = [], []
    for _ in range(int(rounds)):
        t0, c0, steps = time.monotonic(), time.process_time(), 0
        while steps == 0 or time.monotonic() - t0 < float(target_s):
            md.run(1)
            steps += 1
        loops.append([time.monotonic() - t0, 1, steps, len(atoms)])
        cpu.append(time.process_time() - c0)
    open(out, "w").write(json.dumps({"loops": loops, "cpu_seconds": cpu}))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    sys.exit(main(*sys.argv[1:8]))
