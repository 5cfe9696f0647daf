"""Role-based access control: a small policy language and its decision engine."""
from .errors import PolicyError
from .patterns import check_pattern, match_resource
from .policy import Policy, parse_policy

__all__ = ["PolicyError", "Policy", "check_pattern", "match_resource", "parse_policy"]
