"""Exceptions a kind raises to say 'this invariant cannot be checked as declared'."""

from __future__ import annotations


class InvariantConfigError(Exception):
    """The invariant is declared in a way that would check nothing (or nonsense).

    The engine reports it as an error of that invariant with this exact message, unlike any
    other exception, which it reports as a crash of the check.
    """
