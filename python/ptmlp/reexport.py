"""Re-export a model v1 file with the current model code (same weights, same metadata):
``python -m ptmlp.reexport old.pt new.pt``. Files exported by older model code then carry the
attributes the C++ evaluation of model v1 in LAMMPS reads."""

from __future__ import annotations

import sys

from .config import validate_config
from .export import export_model, load_model
from .models import ModelConfig, build_model


def reexport(src: str, dst: str) -> None:
    module, meta = load_model(src)
    arch = dict(meta["architecture"])
    if arch.pop("name", None) != "ptmlp_v1":
        raise SystemExit(f"{src}: only ptmlp_v1 models can be re-exported")
    model = build_model(validate_config(ModelConfig, arch, source=f"{src} metadata architecture"))
    model.load_state_dict(module.state_dict(), strict=True)
    export_model(model, dst, training=meta["training"], electronic_temperature=meta["electronic_temperature"])


if __name__ == "__main__":
    reexport(sys.argv[1], sys.argv[2])
    print(f"re-exported {sys.argv[1]} -> {sys.argv[2]}")
