"""The one configuration layer of ptmlp: every YAML the CLI reads is a pydantic v2 model.

- :class:`StrictModel` is the base of every config model (unknown keys refused, no silent
  str -> number or float -> int coercion, defaults in the field definitions, one
  ``Field(description=...)`` per key, units in the key names);
- :func:`load_config` / :func:`validate_config` read and validate, turning any validation
  error into one :class:`ConfigError` line (file, dotted key, value, what was expected);
- :func:`example_yaml` writes the complete commented YAML of a model (``ptmlp <command> --example``).

pydantic is a well-kept library for exactly this; ptmlp only adds the one-line error wording,
the YAML reader (repeated keys refused, ``1e-3`` read as a number) and the example writer.
"""

from .base import StrictModel, field
from .errors import ConfigError, format_validation_error
from .example import example_yaml
from .load import load_config, validate_config
from .yaml_io import read_yaml

__all__ = ["StrictModel", "field", "ConfigError", "format_validation_error", "example_yaml", "load_config",
           "validate_config", "read_yaml"]
