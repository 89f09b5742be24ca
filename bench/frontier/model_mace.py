"""mace: not wired yet (see README, "Peers not run")."""

from __future__ import annotations

from registry import Context, Model


def models(ctx: Context) -> list[Model]:
    return []
