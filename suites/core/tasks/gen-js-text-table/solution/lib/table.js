'use strict';

/** Render headers and rows as a plain-text table. */
function renderTable(headers, rows, options = {}) {
  const { maxWidth } = options;
  if (maxWidth !== undefined && (!Number.isInteger(maxWidth) || maxWidth < 2)) {
    throw new RangeError('maxWidth must be an integer of at least 2');
  }
  for (const row of rows) {
    if (row.length !== headers.length) throw new RangeError('row length differs from headers');
  }
  const cut = (text) => (maxWidth !== undefined && text.length > maxWidth
    ? text.slice(0, maxWidth - 1) + '…'
    : text);
  const toText = (value) => cut(value === null || value === undefined ? '' : String(value));

  const head = headers.map(toText);
  const body = rows.map((row) => row.map(toText));
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const right = headers.map((_, c) => {
    const present = rows.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    return present.length > 0 && present.every((v) => typeof v === 'number');
  });

  const line = (texts) => texts
    .map((t, c) => (right[c] ? t.padStart(widths[c]) : t.padEnd(widths[c])))
    .join('  ')
    .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

module.exports = { renderTable };
