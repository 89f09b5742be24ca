"""Reference labelers: any ASE calculator turned into energies/forces/virials for training."""
