"""Progress lines and physics warnings of the Python workflows (``ptmlp elastic``, ``ptmlp phonons``).

A workflow step runs inside :func:`recorded_warnings`: the warnings it raises (dynamical
instability, training-pressure range, QHA consistency, ...) are collected for the step's
``summary.json`` and printed once each as a ``warning:`` line; library chatter that says nothing
about the physics (deprecations, spglib's error-handling notice) is dropped.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Callable, Iterator


def print_progress(msg: str) -> None:
    """One progress line on stdout, flushed (it must not lag behind errors on stderr)."""
    print(msg, flush=True)


def is_noise(w: warnings.WarningMessage) -> bool:
    """Library chatter that says nothing about the physics (deprecations, spglib's error-handling note)."""
    return (issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
            or "OLD_ERROR_HANDLING" in str(w.message))


@contextmanager
def recorded_warnings(log: Callable[[str], None] = print_progress) -> Iterator[list[str]]:
    """Collect the physics warnings raised inside the block into the yielded list (messages, in
    order, each once) and log each as ``warning: ...`` when the block ends."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield messages
        finally:
            for w in caught:
                text = str(w.message)
                if not is_noise(w) and text not in messages:
                    messages.append(text)
    for text in messages:
        log(f"warning: {text}")
