import re

from .errors import PolicyError
from .patterns import check_pattern, match_resource

_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ACTION = re.compile(r"[a-z]+")
_ROLE_LINE = re.compile(r"role\s+(\S+)(?:\s+inherits\s+(.*))?")
_USER_LINE = re.compile(r"user\s+([^\s:]+)\s*:(.*)")


class Policy:
    """A parsed policy: roles, users and allow/deny rules."""

    def __init__(self, parents, users, rules):
        self._parents = parents  # role -> list of inherited roles
        self._users = users      # user -> list of roles
        self._rules = rules      # (line, effect, role, action, pattern, specificity)

    def roles_of(self, user):
        """Return the set of roles the user has, inherited roles included."""
        found = set()
        todo = list(self._users.get(user, []))
        while todo:
            role = todo.pop()
            if role not in found:
                found.add(role)
                todo.extend(self._parents[role])
        return found

    def _decide(self, user, action, resource):
        roles = self.roles_of(user)
        best = None
        for rule in self._rules:
            line, effect, role, rule_action, pattern, specificity = rule
            if role not in roles or rule_action not in ("*", action):
                continue
            if not match_resource(pattern, resource):
                continue
            key = (specificity, effect == "deny", -line)
            if best is None or key > best[0]:
                best = (key, rule)
        return None if best is None else best[1]

    def is_allowed(self, user, action, resource):
        """Return True if the deciding rule for this request is an allow rule."""
        rule = self._decide(user, action, resource)
        return rule is not None and rule[1] == "allow"

    def explain(self, user, action, resource):
        """Return the line number of the deciding rule, or None when no rule applies."""
        rule = self._decide(user, action, resource)
        return None if rule is None else rule[0]


def _role_list(text, parents, number):
    roles = [item.strip() for item in text.split(",")]
    for role in roles:
        if not _NAME.fullmatch(role):
            raise PolicyError(f"invalid role name {role!r}", number)
        if role not in parents:
            raise PolicyError(f"undefined role {role!r}", number)
    return roles


def parse_policy(text):
    """Parse the policy text and return a Policy."""
    parents, users, rules = {}, {}, []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "role" and (match := _ROLE_LINE.fullmatch(line)):
            name, inherited = match.groups()
            if not _NAME.fullmatch(name):
                raise PolicyError(f"invalid role name {name!r}", number)
            if name in parents:
                raise PolicyError(f"role {name!r} defined twice", number)
            parents[name] = [] if inherited is None else _role_list(inherited, parents, number)
        elif words[0] == "user" and (match := _USER_LINE.fullmatch(line)):
            name, roles = match.groups()
            if not _NAME.fullmatch(name):
                raise PolicyError(f"invalid user name {name!r}", number)
            if name in users:
                raise PolicyError(f"user {name!r} defined twice", number)
            users[name] = _role_list(roles, parents, number)
        elif words[0] in ("allow", "deny") and len(words) == 4:
            effect, role, action, pattern = words
            if role not in parents:
                raise PolicyError(f"undefined role {role!r}", number)
            if action != "*" and not _ACTION.fullmatch(action):
                raise PolicyError(f"invalid action {action!r}", number)
            try:
                check_pattern(pattern)
            except PolicyError as error:
                raise PolicyError(str(error), number) from None
            literal = sum(1 for segment in pattern.split("/") if "*" not in segment)
            specificity = (literal, 0 if action == "*" else 1)
            rules.append((number, effect, role, action, pattern, specificity))
        else:
            raise PolicyError(f"cannot understand {line!r}", number)
    return Policy(parents, users, rules)
