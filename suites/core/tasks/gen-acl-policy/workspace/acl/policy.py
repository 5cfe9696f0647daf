from .errors import PolicyError
from .patterns import check_pattern, match_resource


class Policy:
    """A parsed policy: roles, users and allow/deny rules."""

    def roles_of(self, user):
        """Return the set of roles the user has, inherited roles included."""
        raise NotImplementedError

    def is_allowed(self, user, action, resource):
        """Return True if the deciding rule for this request is an allow rule."""
        raise NotImplementedError

    def explain(self, user, action, resource):
        """Return the line number of the deciding rule, or None when no rule applies."""
        raise NotImplementedError


def parse_policy(text):
    """Parse the policy text and return a Policy."""
    raise NotImplementedError
