#!/usr/bin/env bash
# Bench venv for one peer of bench/frontier: bench/frontier/.venv-NAME from requirements/NAME.txt,
# plus ase and numpy for predict.py / time_ase.py. Never a ptmlp dependency.
#
#   bash bench/frontier/setup_venv.sh NAME      (NAME: uf3 | mace | nequip | deepmd)
#
# LOCK=1 installs the exact versions this bench was measured with (requirements/NAME.lock.txt).
# Resumable: a finished venv has .stamp-ready and is left alone (delete the folder to rebuild).
# Every pip call runs under nice -n 19 (the machine is shared).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="${1:?usage: setup_venv.sh NAME (uf3 | mace | nequip | deepmd)}"
REQ="$HERE/requirements/$NAME.txt"
VENV="$HERE/.venv-$NAME"
[[ -f "$REQ" ]] || { echo "no $REQ" >&2; exit 2; }
if [[ -f "$VENV/.stamp-ready" ]]; then echo "[setup] $VENV ready (stamp)"; exit 0; fi
[[ -x "$VENV/bin/python" ]] || "${BENCH_PYTHON:-python3}" -m venv "$VENV"
SECONDS=0
nice -n 19 "$VENV/bin/python" -m pip install --quiet --upgrade pip
if [[ "${LOCK:-0}" == 1 && -f "$HERE/requirements/$NAME.lock.txt" ]]; then
  nice -n 19 "$VENV/bin/python" -m pip install --quiet -r "$HERE/requirements/$NAME.lock.txt"
else
  nice -n 19 "$VENV/bin/python" -m pip install --quiet -r "$REQ" 'ase>=3.23'
fi
"$VENV/bin/python" -m pip freeze > "$VENV/freeze.txt"
touch "$VENV/.stamp-ready"
echo "[setup] $VENV: ${SECONDS} s; versions in $VENV/freeze.txt"
