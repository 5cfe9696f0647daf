class DotenvError(ValueError):
    """A syntax error in a .env file; `line` is the 1-based line number."""

    def __init__(self, message, line):
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse_dotenv(text, environ=None):
    """Parse the text of a .env file and return a dict of names to values."""
    raise NotImplementedError
