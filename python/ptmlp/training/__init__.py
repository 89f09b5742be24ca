"""Training of ptmlp models on energies, forces and virials."""
