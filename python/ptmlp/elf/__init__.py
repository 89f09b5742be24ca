"""Electron localization function (ELF) of dense hydrogen predicted on a grid from atomic positions.

Method: Wang, Marques, Gomez, Serratosa, Zurek, Contreras-Garcia, "Geometry-based neural-network
prediction of electron localization function topology in dense hydrogen" (arXiv:2604.26445).
Networking value and T_c: Belli et al., Nat. Commun. 12, 5381 (2021).

Modules (each small, named after what it holds):

=================  =========================================================================
``reference``      reference ELF from GPAW plane-wave wave functions, evaluated spectrally
``labeler``        GPAW SCF + ELF grid for a structure (:class:`GpawElfLabeler`)
``structures``     random H2 packings, random cubic/hexagonal crystals, hand-built lattices
``md``             Langevin MD (any ASE calculator) sampling fluid snapshots
``generate``       ``ptmlp elf generate`` workflow (resumable)
``grid``           :class:`ElfGrid` and the grid convention
``store``          HDF5 ELF datasets with atomic appends (:class:`ElfDataset`)
``io``             cube and VASP ELFCAR files
``basis``          Gaussian radial functions and the cosine cutoff
``neighbours``     periodic grid-point -> atom neighbour lists in bounded memory
``descriptor``     rotation-invariant power spectrum of each grid point (:class:`ElfDescriptor`)
``features``       batched descriptor of many points
``model``          :class:`ElfModel` (descriptor + standardisation + MLP + sigmoid)
``model_file``     TorchScript export with ``"model_kind": "elf"`` metadata
``sampling``       ELF-stratified training points
``training``       ``ptmlp elf train``
``inference``      prediction on points / grids
``metrics``        MAE, RMSE, R^2 with snapshot-bootstrap errors
``networking``     networking value phi (periodic percolation) and T_c ~ 750 phi - 85 K
``fourier``        reciprocal-space residual analysis and low-k correction
``predict``        ``ptmlp elf predict`` workflow
``plots``          parity, slices, phi, residual spectrum
=================  =========================================================================
"""
