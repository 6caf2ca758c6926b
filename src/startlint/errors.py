"""Errors that end a run with exit code 2: bad usage, bad configuration, bad data."""

from __future__ import annotations


class UsageError(Exception):
    """The command line asks for something impossible."""


class ConfigError(Exception):
    """A configuration file is broken; the message names the file and the key or line."""
