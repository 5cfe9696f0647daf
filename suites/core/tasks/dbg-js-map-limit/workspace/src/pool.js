'use strict';

/**
 * Call `fn(item, index)` for every item, with at most `limit` calls in flight at once.
 * Resolves to the results, one per item.
 */
async function mapLimit(items, limit, fn) {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError('limit must be a positive integer');
  }
  const list = Array.from(items);
  const results = [];
  let next = 0;

  async function worker() {
    while (next < list.length) {
      const index = next++;
      results.push(await fn(list[index], index));
    }
  }

  const workers = [];
  for (let i = 0; i < Math.min(limit, list.length); i++) {
    workers.push(worker());
  }
  await Promise.all(workers);
  return results;
}

module.exports = { mapLimit };
