"""Errors the tools report to people: each names the file, the line and the fix."""

from __future__ import annotations


class GeneratorError(Exception):
    """Base for every error shown to a user as a message instead of a traceback."""


class InputError(GeneratorError):
    """An input (dump, export, paper file) that cannot be read as a whole."""

    def __init__(self, file: str, line: int | None, message: str, fix: str = "") -> None:
        self.file = file
        self.line = line
        self.message = message
        self.fix = fix
        where = f"{file}:{line}" if line else file
        text = f"{where}: {message}"
        if fix:
            text += f" ({fix})"
        super().__init__(text)
