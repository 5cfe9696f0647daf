"""Parse HTTP `Range` request headers ("bytes" ranges) for a static file server."""


class MalformedRange(ValueError):
    """The header cannot be parsed at all; the server ignores it and sends the whole file."""


class RangeNotSatisfiable(Exception):
    """No requested range overlaps the file; the server answers 416."""

    def __init__(self, size):
        super().__init__(f"no satisfiable range for a resource of {size} bytes")
        self.size = size


UNIT = "bytes"


def _parse_position(text):
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit():
        raise MalformedRange(f"bad byte position {text!r}")
    return int(text)


def split_spec(spec):
    """Split one spec ("first-last", "first-" or "-suffix") into (first, last).

    A missing part is None: "500-" gives (500, None) and "-200" gives (None, 200).
    """
    if spec.count("-") != 1:
        raise MalformedRange(f"bad range spec {spec!r}")
    first_text, last_text = spec.split("-")
    first = _parse_position(first_text) if first_text.strip() else None
    last = _parse_position(last_text) if last_text.strip() else None
    if first is None and last is None:
        raise MalformedRange(f"empty range spec {spec!r}")
    if first is not None and last is not None and last < first:
        raise MalformedRange(f"range {spec!r} ends before it starts")
    return first, last


def resolve(first, last, size):
    """Turn a split spec into an inclusive (start, end) byte range of a `size`-byte file.

    Returns None when the spec does not overlap the file at all.
    """
    if first is None:
        # suffix range: the last `last` bytes of the file
        if last == 0 or size == 0:
            return None
        return max(0, size - last), size - 1
    if first >= size:
        return None
    if last is None or last >= size:
        return first, size - 1
    return first, last


def parse_range_header(header, size):
    """Return the satisfiable ranges of a Range header as inclusive (start, end) tuples."""
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != UNIT:
        raise MalformedRange(f"unsupported range unit in {header!r}")
    ranges = []
    for spec in specs.split(","):
        if not spec.strip():
            continue
        first, last = split_spec(spec)
        resolved = resolve(first, last, size)
        if resolved is not None:
            ranges.append(resolved)
    if not ranges:
        raise RangeNotSatisfiable(size)
    return ranges


def content_range(start, end, size):
    """The Content-Range header value for one resolved range."""
    return f"{UNIT} {start}-{end}/{size}"


def content_length(ranges):
    """Total number of bytes covered by resolved ranges (they may overlap; each is counted)."""
    return sum(end - start + 1 for start, end in ranges)
