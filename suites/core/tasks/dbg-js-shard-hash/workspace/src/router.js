'use strict';

const { fnv1a32 } = require('./hash');

/** Routes keys (user ids, order numbers, ...) to database shards by hashing. */
class ShardRouter {
  /** @param {string[]} shards shard names; the order matters and must not change */
  constructor(shards) {
    if (!Array.isArray(shards) || shards.length === 0) {
      throw new RangeError('at least one shard is required');
    }
    if (new Set(shards).size !== shards.length) {
      throw new RangeError('shard names must be unique');
    }
    this.shards = [...shards];
  }

  /** The shard that stores `key`. */
  shardFor(key) {
    const index = fnv1a32(String(key)) % this.shards.length;
    return this.shards[index];
  }

  /** Group keys by shard: a Map with every shard (in shard order) to its keys (in input order). */
  group(keys) {
    const groups = new Map(this.shards.map((shard) => [shard, []]));
    for (const key of keys) {
      groups.get(this.shardFor(key)).push(key);
    }
    return groups;
  }
}

module.exports = { ShardRouter };
