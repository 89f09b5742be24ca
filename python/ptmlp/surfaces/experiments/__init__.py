"""The experiments of the surface-property method, one command each (``ptmlp surfaces <name>``):
``ablation`` (model variants over seeds), ``crossval`` (k-fold), ``depth_scan``, ``transfer``
(fine-tuning vs from scratch), ``wulff_loco`` (Wulff averages, compounds held out) and
``embeddings`` (element-embedding correlations). Every run keeps its result in
``output_dir/runs/`` so an interrupted experiment continues where it stopped."""
