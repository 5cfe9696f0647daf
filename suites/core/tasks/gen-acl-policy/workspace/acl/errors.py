class PolicyError(ValueError):
    """An invalid policy or pattern; `line` is the 1-based line number, or None."""

    def __init__(self, message, line=None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
