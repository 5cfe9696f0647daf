"""A small INI reader for the deploy tool's `deploy.ini` files.

    ; comment
    name = billing            # keys before any section header belong to section ""
    [database]
    host = db.internal
    motd = "Welcome; please log in"
    hosts = a.internal
        b.internal            # an indented line continues the previous value
"""

COMMENT_CHARS = ";#"
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}


class ConfigError(Exception):
    def __init__(self, line_no, message):
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no


def strip_comment(line):
    """Drop a comment: a ';' or '#' at the start of the line or after whitespace, outside quotes."""
    in_quotes = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch in COMMENT_CHARS and not in_quotes and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def unquote(value, line_no):
    """'"a \\"b\\""' -> 'a "b"'. Unquoted values are returned unchanged."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        if value.startswith('"'):
            raise ConfigError(line_no, "unterminated quoted value")
        return value
    out, chars = [], iter(value[1:-1])
    for ch in chars:
        if ch == "\\":
            ch = next(chars, "\\")
        out.append(ch)
    return "".join(out)


def parse(text):
    """Parse INI text into {section name: {key: value}}; the "" section is always present."""
    sections = {"": {}}
    current = sections[""]
    last_key = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = strip_comment(raw).strip()
        if not line:
            if not raw.strip():
                last_key = None  # a blank line ends a continued value
            continue
        if raw[0] in " \t" and last_key is not None:
            current[last_key] += "\n" + line
            continue
        # TODO: fill in this gap — handle a "[section]" header or a "key = value" line
        raise NotImplementedError
    return sections


class Config:
    def __init__(self, text):
        self.sections = parse(text)

    def get(self, section, key, default=None):
        return self.sections.get(section, {}).get(key.lower(), default)

    def get_int(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else int(value)

    def get_bool(self, section, key, default=False):
        value = self.get(section, key)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError(f"[{section}] {key}: not a boolean: {value!r}")

    def get_list(self, section, key):
        value = self.get(section, key)
        return [] if value is None else [item for item in value.split("\n") if item]
