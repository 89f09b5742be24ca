"""Structure analysis of trajectories (radial distribution functions)."""
