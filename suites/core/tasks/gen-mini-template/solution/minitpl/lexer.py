from .errors import TemplateError

_CLOSERS = {"{{": ("}}", "var"), "{%": ("%}", "tag")}


def tokenize(source):
    """Split a template into a list of (kind, text) tuples: "text", "var" or "tag"."""
    tokens = []
    text_start = 0
    pos = 0
    while pos < len(source):
        opener = source[pos:pos + 2]
        if opener not in _CLOSERS:
            pos += 1
            continue
        closer, kind = _CLOSERS[opener]
        end = source.find(closer, pos + 2)
        if end < 0:
            raise TemplateError(f"{opener} at offset {pos} is never closed")
        if pos > text_start:
            tokens.append(("text", source[text_start:pos]))
        tokens.append((kind, source[pos + 2:end].strip()))
        pos = text_start = end + 2
    if text_start < len(source):
        tokens.append(("text", source[text_start:]))
    return tokens
