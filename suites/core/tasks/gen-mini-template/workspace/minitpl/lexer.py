from .errors import TemplateError


def tokenize(source):
    """Split a template into a list of (kind, text) tuples: "text", "var" or "tag"."""
    raise NotImplementedError
