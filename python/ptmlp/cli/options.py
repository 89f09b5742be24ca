"""Command-line options checked by the config layer: an options model whose fields carry the
option spelling as alias (``te_K`` <- ``--te-K``), so a bad value is one line naming the option."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def validate_options(model: type[M], args) -> M:
    """``model`` built from the argparse namespace ``args`` (attribute = field name; None = not
    given, the model's default); one-line :class:`~ptmlp.config.ConfigError` naming the option on
    a bad value."""
    from ..config import validate_config

    data = {(info.alias or name): getattr(args, name) for name, info in model.model_fields.items()
            if getattr(args, name) is not None}
    return validate_config(model, data, source="command line")
