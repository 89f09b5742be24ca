"""Error hierarchy of ptmlp.

Every error a user can cause by bad input derives from :class:`PtmlpError`; the
CLI prints ``str(err)`` as one line and exits non-zero, never a traceback.
"""


class PtmlpError(Exception):
    """Base class of every error ptmlp raises on purpose."""


class InputError(PtmlpError, ValueError):
    """Raised when a user-given value (config key, path, structure, option) is invalid."""


class ModelFileError(PtmlpError):
    """Raised when a model file is missing, unreadable, not TorchScript, or its
    ``metadata.json`` is missing, malformed or of an unknown ``format_version``."""


class EnsembleMismatchError(ModelFileError):
    """Raised when models used together disagree on type_names, r_cut or the T_e spec."""


class SpeciesError(InputError):
    """Raised when a structure holds a chemical species the model was not trained on."""


class UnphysicalStructureError(InputError):
    """Raised when atoms are closer than ``ptmlp.guards.MIN_PAIR_DISTANCE_A`` (coincident or
    overlapping), a position is not finite, or a model returns a non-finite energy or force."""


class LammpsRunError(PtmlpError):
    """Raised when a LAMMPS run started by ptmlp fails; the message holds LAMMPS's ERROR line."""
