"""Surface properties from structure: a surface-emphasised multi-task crystal graph network.

A CGCNN backbone (Xie & Grossman, PRL 120, 145301 (2018)) whose atom inputs carry a flag for the
outermost atoms of the slab (surface embedding), with one head per property (surface energy,
work function) balanced by GradNorm (Chen et al., ICML 2018; ``ptmlp.training.weighting``).

Modules: ``geometry`` (slab normal, vacuum, surface depth), ``graph`` (crystal graph), ``structures``
(reading CIF/POSCAR/ASE atoms), ``dataset`` (id_prop.csv folders and the graph cache), ``model``,
``batching``, ``training``, ``evaluation``, ``export``, ``predict``, ``uncertainty``, ``slabs``
(low-index slabs of a bulk crystal), ``wulff``, ``facets`` (compound and Miller index from the
public data's file names), ``plots``, ``config`` and ``experiments/``.
"""
