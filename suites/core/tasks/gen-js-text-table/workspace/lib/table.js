'use strict';

/** Render headers and rows as a plain-text table. */
function renderTable(headers, rows, options = {}) {
  throw new Error('not implemented');
}

module.exports = { renderTable };
