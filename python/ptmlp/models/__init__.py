"""Model architectures. ``build_model(config)`` returns an untrained module."""

from .config import ModelConfig
from .ptmlp_v1 import PtmlpV1

ARCHITECTURES = {"ptmlp_v1": PtmlpV1}


def build_model(config: ModelConfig, architecture: str = "ptmlp_v1") -> PtmlpV1:
    return ARCHITECTURES[architecture](config)


__all__ = ["ModelConfig", "PtmlpV1", "build_model", "ARCHITECTURES"]
