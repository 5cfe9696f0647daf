import re

from .errors import TemplateError
from .lexer import tokenize

_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_UNDEFINED = object()
_FILTERS = {
    "upper": str.upper,
    "lower": str.lower,
    "strip": str.strip,
    "escape": lambda s: (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                         .replace('"', "&quot;").replace("'", "&#39;")),
}


def _path(text):
    if not _PATH.fullmatch(text):
        raise TemplateError(f"invalid path {text!r}")
    return text.split(".")


def _lookup(names, context):
    value = context.get(names[0], _UNDEFINED)
    for name in names[1:]:
        if value is _UNDEFINED:
            break
        if isinstance(value, dict):
            value = value.get(name, _UNDEFINED)
        else:
            value = getattr(value, name, _UNDEFINED)
    return value


def _parse_var(text):
    parts = [part.strip() for part in text.split("|")]
    names = _path(parts[0])
    filters = []
    for name in parts[1:]:
        if name not in _FILTERS:
            raise TemplateError(f"unknown filter {name!r}")
        filters.append(_FILTERS[name])
    return ("var", names, filters)


def _parse(tokens):
    """Build a tree: a list of nodes; an if node is ("if", negate, names, then, otherwise)."""
    root = []
    stack = []  # entries: [node_list_to_append_to, if_node_as_list, in_else]
    current = root
    for kind, text in tokens:
        if kind == "text":
            current.append(("text", text))
        elif kind == "var":
            current.append(_parse_var(text))
        else:
            words = text.split()
            head = words[0] if words else ""
            if head == "if":
                rest = words[1:]
                negate = bool(rest) and rest[0] == "not"
                if negate:
                    rest = rest[1:]
                if len(rest) != 1:
                    raise TemplateError(f"malformed tag {{% {text} %}}")
                node = ["if", negate, _path(rest[0]), [], []]
                current.append(node)
                stack.append([current, node, False])
                current = node[3]
            elif head == "else" and len(words) == 1:
                if not stack or stack[-1][2]:
                    raise TemplateError("unexpected else")
                stack[-1][2] = True
                current = stack[-1][1][4]
            elif head == "endif" and len(words) == 1:
                if not stack:
                    raise TemplateError("unexpected endif")
                current = stack.pop()[0]
            else:
                raise TemplateError(f"unknown tag {{% {text} %}}")
    if stack:
        raise TemplateError("if without endif")
    return root


def _emit(nodes, context, out):
    for node in nodes:
        if node[0] == "text":
            out.append(node[1])
        elif node[0] == "var":
            value = _lookup(node[1], context)
            text = "" if value is _UNDEFINED or value is None else str(value)
            for apply in node[2]:
                text = apply(text)
            out.append(text)
        else:
            _, negate, names, then, otherwise = node
            value = _lookup(names, context)
            truthy = value is not _UNDEFINED and bool(value)
            _emit(then if truthy != negate else otherwise, context, out)


def render(source, context):
    """Render the template source with the values in the dict context."""
    tree = _parse(tokenize(source))
    out = []
    _emit(tree, context, out)
    return "".join(out)
