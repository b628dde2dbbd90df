"""Exceptions with exit codes: 2 for unreadable input, 1 for content that
fails validation or checks."""

from __future__ import annotations


class BuildError(Exception):
    """The graph could not be built."""

    exit_code = 1


class InputError(BuildError):
    """An input file could not be read or parsed; names the file and line."""

    exit_code = 2

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column = path, line, column
        where = path if line is None else f"{path}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")


class ValidationFailed(BuildError):
    """SHACL shapes, the reasoner or a quality check found violations."""

    def __init__(self, stage: str, problems: list[str]):
        self.stage, self.problems = stage, problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{stage}: {len(problems)} problem(s)\n{lines}")


class JavaMissing(BuildError):
    """HermiT needs a Java runtime and none was found."""
