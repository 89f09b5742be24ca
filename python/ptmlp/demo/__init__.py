"""The shipped demo model: bcc/liquid iron fitted to the Fe_mm.eam.fs EAM (see regenerate.py)."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
DEMO_MODEL = DEMO_DIR / "fe_demo.pt"
DEMO_REPORT = DEMO_DIR / "fe_demo_training.json"
