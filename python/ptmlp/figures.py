"""PNG figures: matplotlib's pyplot on the file-only Agg backend, and the one figure saver
(atomic: a crash never leaves a half-written PNG; the figure is closed)."""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import atomic_path


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed; imported when first plotting)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | os.PathLike, **savefig_kwargs) -> Path:
    """Write ``fig`` to ``path`` (format from its suffix, PNG by default) through a temporary
    sibling renamed over it, and close the figure; ``savefig_kwargs`` go to ``fig.savefig``
    (``dpi``, ``bbox_inches``, ...). Returns the path."""
    path = Path(path)
    savefig_kwargs.setdefault("format", path.suffix.lstrip(".").lower() or "png")
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, **savefig_kwargs)
    finally:
        pyplot().close(fig)
    return path
