"""Write a float32 copy of a ptmlp model file (weights and buffers rounded to float32; metadata
"dtype": "float32"), using torch alone so that it runs on a GPU machine without the ptmlp package.

    python float32_model.py fe_demo.pt fe_demo_f32.pt
"""

from __future__ import annotations

import json
import sys

import torch

METADATA_FILE = "metadata.json"  # ptmlp.metadata.METADATA_FILE


def main(src: str, dst: str) -> None:
    extra = {METADATA_FILE: ""}
    module = torch.jit.load(src, map_location="cpu", _extra_files=extra)
    meta = json.loads(extra[METADATA_FILE])
    if meta.get("dtype") != "float64":
        raise SystemExit(f"{src}: dtype is {meta.get('dtype')!r}, expected float64")
    module.float()
    meta["dtype"] = "float32"
    meta.setdefault("architecture", {})["dtype"] = "float32"
    torch.jit.save(module, dst, _extra_files={METADATA_FILE: json.dumps(meta, indent=1)})
    print(f"wrote {dst} (float32 copy of {src})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
