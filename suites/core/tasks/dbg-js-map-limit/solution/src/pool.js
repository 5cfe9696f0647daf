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
  const results = new Array(list.length);
  let next = 0;
  let failed = false;

  async function worker() {
    // Stop picking up new items as soon as any call has failed.
    while (!failed && next < list.length) {
      const index = next++;
      try {
        // Store by index: calls finish in any order, results must not.
        results[index] = await fn(list[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
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
