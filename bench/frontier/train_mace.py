"""Train one MACE model with ``mace_run_train`` (runs in .venv-mace).

    python train_mace.py DATA_DIR OUT_DIR NAME HIDDEN_IRREPS EPOCHS THREADS

DATA_DIR holds the bench's train.xyz / validation.xyz (energy, forces, stress from the
SinglePointCalculator); they are rewritten with MACE's REF_energy / REF_forces / REF_stress keys
(MACE reads only those keys, never a calculator's results).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def relabel(src: Path, dst: Path) -> None:
    from ase.io import read, write

    frames = read(src, index=":")
    for a in frames:
        a.info["REF_energy"] = a.get_potential_energy()
        a.arrays["REF_forces"] = a.get_forces()
        try:
            a.info["REF_stress"] = a.get_stress(voigt=False)
        except Exception:
            pass
        a.calc = None
    write(dst, frames, format="extxyz")


def main(data_dir, out_dir, name, irreps, epochs, threads) -> int:
    data, out = Path(data_dir), Path(out_dir)
    for subset in ("train", "validation"):
        relabel(data / f"{subset}.xyz", out / f"mace_{subset}.xyz")
    epochs = int(epochs)
    cmd = ["mace_run_train", f"--name={name}", f"--train_file={out / 'mace_train.xyz'}",
           f"--valid_file={out / 'mace_validation.xyz'}", "--E0s=average", "--model=MACE",
           f"--hidden_irreps={irreps}", "--r_max=5.0", "--correlation=3", "--num_interactions=2",
           "--batch_size=5", "--valid_batch_size=5", f"--max_num_epochs={epochs}", "--lr=0.01",
           "--energy_weight=1.0", "--forces_weight=100.0", "--swa", f"--start_swa={int(0.8 * epochs)}",
           "--swa_energy_weight=1000.0", "--swa_forces_weight=100.0", "--ema", "--ema_decay=0.99",
           "--amsgrad", "--patience=50", "--default_dtype=float64", "--device=cpu", "--seed=0",
           "--energy_key=REF_energy", "--forces_key=REF_forces", "--stress_key=REF_stress",
           "--error_table=PerAtomRMSE", "--restart_latest", "--save_cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    bindir = Path(sys.executable).parent
    return subprocess.run([str(bindir / cmd[0]), *cmd[1:]], cwd=out, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
