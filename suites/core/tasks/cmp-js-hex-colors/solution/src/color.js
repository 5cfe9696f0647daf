'use strict';

// Colour helpers for the dashboard theme editor. Colours are { r, g, b, a } with r, g, b
// integers 0–255 and a (opacity) a number from 0 to 1.

class ColorError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ColorError';
  }
}

const HEX_DIGITS = /^[0-9a-fA-F]+$/;

const clampByte = (n) => Math.min(255, Math.max(0, Math.round(n)));
const byteToHex = (n) => clampByte(n).toString(16).padStart(2, '0');

/** Opacity from an alpha byte, rounded to 3 decimals: 0x80 -> 0.502. */
const alphaFromByte = (byte) => Math.round((byte / 255) * 1000) / 1000;

/**
 * Parse "#rgb", "#rgba", "#rrggbb" or "#rrggbbaa" (case-insensitive) into a colour.
 * parseHex('#1e90ff') -> { r: 30, g: 144, b: 255, a: 1 }
 */
function parseHex(text) {
  if (typeof text !== 'string') throw new ColorError('a colour must be a string');
  const trimmed = text.trim();
  if (!trimmed.startsWith('#')) throw new ColorError(`${text} does not start with #`);
  let digits = trimmed.slice(1);
  if (!HEX_DIGITS.test(digits)) throw new ColorError(`${text} is not hexadecimal`);
  if (digits.length === 3 || digits.length === 4) {
    digits = [...digits].map((d) => d + d).join('');
  }
  if (digits.length !== 6 && digits.length !== 8) throw new ColorError(`${text} has the wrong length`);
  const bytes = digits.match(/../g).map((pair) => parseInt(pair, 16));
  return { r: bytes[0], g: bytes[1], b: bytes[2], a: bytes.length === 4 ? alphaFromByte(bytes[3]) : 1 };
}

/** "#rrggbb" in lower case, or "#rrggbbaa" when the colour is not fully opaque. */
function toHex({ r, g, b, a = 1 }) {
  const rgb = '#' + byteToHex(r) + byteToHex(g) + byteToHex(b);
  return a < 1 ? rgb + byteToHex(a * 255) : rgb;
}

/** Blend two colours (objects or hex strings): t = 0 gives the first, t = 1 the second. */
function mix(first, second, t) {
  const c1 = typeof first === 'string' ? parseHex(first) : first;
  const c2 = typeof second === 'string' ? parseHex(second) : second;
  const lerp = (x, y) => x + (y - x) * t;
  return {
    r: clampByte(lerp(c1.r, c2.r)),
    g: clampByte(lerp(c1.g, c2.g)),
    b: clampByte(lerp(c1.b, c2.b)),
    a: Math.round(lerp(c1.a, c2.a) * 1000) / 1000,
  };
}

/** Black or white text, whichever reads better on the given background (WCAG luminance). */
function textColorOn(background) {
  const { r, g, b } = typeof background === 'string' ? parseHex(background) : background;
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

module.exports = { ColorError, parseHex, toHex, mix, textColorOn };
