from .errors import PolicyError


def check_pattern(pattern):
    """Raise PolicyError (line None) if pattern is not a valid resource pattern."""
    raise NotImplementedError


def match_resource(pattern, resource):
    """Return True if the (valid) resource pattern matches the resource path."""
    raise NotImplementedError
