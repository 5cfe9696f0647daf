import re


class DotenvError(ValueError):
    """A syntax error in a .env file; `line` is the 1-based line number."""

    def __init__(self, message, line):
        super().__init__(f"line {line}: {message}")
        self.line = line


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)", re.DOTALL)
_EXPORT = re.compile(r"export[ \t]+")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


def _interpolate(raw, known, environ, line):
    out = []
    i = 0
    while i < len(raw):
        if raw.startswith("${", i):
            end = raw.find("}", i + 2)
            if end < 0:
                raise DotenvError("unclosed ${", line)
            out.append(_lookup(raw[i + 2:end], known, environ, line))
            i = end + 1
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def _lookup(name, known, environ, line):
    if not _NAME.fullmatch(name):
        raise DotenvError(f"invalid name in ${{{name}}}", line)
    if name in known:
        return known[name]
    if environ is not None and name in environ:
        return environ[name]
    return ""


def _check_tail(tail, line):
    rest = tail.lstrip(" \t")
    if rest and not rest.startswith("#"):
        raise DotenvError("unexpected text after the closing quote", line)


def _double_quoted(body, known, environ, line):
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            _check_tail(body[i + 1:], line)
            return "".join(out)
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise DotenvError("invalid escape sequence", line)
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        elif body.startswith("${", i):
            end = body.find("}", i + 2)
            if end < 0:
                raise DotenvError("unclosed ${", line)
            out.append(_lookup(body[i + 2:end], known, environ, line))
            i = end + 1
        else:
            out.append(ch)
            i += 1
    raise DotenvError("unclosed double quote", line)


def _value(raw, known, environ, line):
    text = raw.lstrip(" \t")
    if text.startswith("'"):
        end = text.find("'", 1)
        if end < 0:
            raise DotenvError("unclosed single quote", line)
        _check_tail(text[end + 1:], line)
        return text[1:end]
    if text.startswith('"'):
        return _double_quoted(text[1:], known, environ, line)
    comment = re.search(r"[ \t]#", raw)
    if comment:
        raw = raw[:comment.start()]
    return _interpolate(raw.strip(" \t"), known, environ, line)


def parse_dotenv(text, environ=None):
    """Parse the text of a .env file and return a dict of names to values."""
    result = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        stripped = line.lstrip(" \t")
        if not stripped.strip(" \t") or stripped.startswith("#"):
            continue
        export = _EXPORT.match(stripped)
        if export:
            stripped = stripped[export.end():]
        match = _ASSIGNMENT.fullmatch(stripped)
        if not match:
            raise DotenvError("expected NAME=value", number)
        name, raw = match.groups()
        result[name] = _value(raw, result, environ, number)
    return result
