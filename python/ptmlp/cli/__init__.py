"""The ``ptmlp`` command line: one module per subcommand, thin wrappers over the Python API."""
