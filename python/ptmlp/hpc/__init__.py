"""HPC helpers."""
