"""Reading CSV exports into rows keyed by normalised column names."""
import csv


def normalise_header(name):
    """Column names are matched case-insensitively and without surrounding spaces."""
    return name.strip().lower()


def read_table(path):
    """Read a UTF-8 CSV export (a leading byte order mark is allowed and ignored).

    Returns `(columns, rows)`: the normalised column names of the header line, and the data rows
    as dicts keyed by those names, with cell values stripped of surrounding whitespace. Blank
    lines are skipped. An empty file gives `([], [])`.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return [], []
        columns = [normalise_header(name) for name in header]
        rows = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            rows.append({column: cell.strip() for column, cell in zip(columns, record)})
        return columns, rows
