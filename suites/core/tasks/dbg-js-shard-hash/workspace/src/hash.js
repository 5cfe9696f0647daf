'use strict';

// 32-bit FNV-1a, see http://www.isthe.com/chongo/tech/comp/fnv/
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Hash a string with 32-bit FNV-1a over its UTF-8 bytes.
 * @param {string} text
 * @returns {number}
 */
function fnv1a32(text) {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash;
}

module.exports = { fnv1a32 };
