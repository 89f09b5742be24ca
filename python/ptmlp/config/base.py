"""Base class of every config model and the ``field`` helper that carries each key's meaning."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """A config section: unknown keys are errors, types are strict (``"100"`` is not an integer,
    ``1.5`` is not an integer, ``"false"`` is not a boolean; an integer is accepted for a number),
    defaults are validated too, and assignments after construction are validated."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True, validate_assignment=True, allow_inf_nan=False,
                              use_attribute_docstrings=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, dicts, numbers, strings) for result files and logs."""
        return self.model_dump(mode="json")


def field(default: Any = ..., description: str = "", **constraints: Any) -> Any:
    """``pydantic.Field`` with a required one-line ``description`` (it becomes the comment of the
    key in ``--example`` and the text of ``--help``). ``default_factory=`` may replace ``default``;
    constraints are pydantic's (``ge``, ``gt``, ``le``, ``lt``, ``min_length``, ...)."""
    if not description:
        raise TypeError("every config field needs a description")
    if "default_factory" in constraints:
        return Field(description=description, **constraints)
    return Field(default, description=description, **constraints)
