"""Methods other code calls on exported model files stay exported (TorchScript drops methods
that forward does not reach unless they are marked): the C++ fused path needs
energy_from_density, active-learning selection needs descriptors."""

from __future__ import annotations

from ptmlp.demo import DEMO_MODEL
from ptmlp.demo.regenerate_tel import TEL_MODEL
from ptmlp.export import load_model


def test_exported_methods(model_file):
    for path in (model_file, DEMO_MODEL, TEL_MODEL):
        module, _ = load_model(path)
        assert hasattr(module, "descriptors") and hasattr(module, "energy_from_density"), path
