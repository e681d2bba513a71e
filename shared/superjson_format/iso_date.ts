/**
 * Dates as ISO 8601 text (`2026-12-01T10:00:00.000Z`), the way superjson
 * writes them, in about a quarter of the time of `Date.prototype.toISOString`,
 * which goes through V8's general date formatting. (Reading them back,
 * `new Date(text)` is as fast as a hand-written parser.) Years outside 1000
 * to 9999 go to the built-in.
 *
 * @module
 */

const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const T = 0x54;
const Z = 0x5a;

/**
 * The same text as `date.toISOString()`.
 *
 * The text is made in one piece from its character codes. Joined from parts,
 * it would be a rope of a dozen pieces, which `JSON.stringify` has to copy
 * into one string before it can write it: that copy cost more than making
 * the text.
 *
 * @param date A Date.
 * @returns Its ISO 8601 text, in UTC; `undefined` for an invalid Date.
 */
export function formatIsoDate(date: Date): string | undefined {
  const year = date.getUTCFullYear();
  if (year !== year) return undefined;
  if (year < 1000 || year > 9999) return date.toISOString();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  const hours = date.getUTCHours();
  const minutes = date.getUTCMinutes();
  const seconds = date.getUTCSeconds();
  const ms = date.getUTCMilliseconds();
  return String.fromCharCode(
    ZERO + ((year / 1000) | 0),
    ZERO + ((year / 100) | 0) % 10,
    tens(year % 100),
    ones(year),
    DASH,
    tens(month),
    ones(month),
    DASH,
    tens(day),
    ones(day),
    T,
    tens(hours),
    ones(hours),
    COLON,
    tens(minutes),
    ones(minutes),
    COLON,
    tens(seconds),
    ones(seconds),
    DOT,
    ZERO + ((ms / 100) | 0),
    tens(ms % 100),
    ones(ms),
    Z,
  );
}

/** The character code of the tens digit of `n`, below 100. */
function tens(n: number): number {
  return ZERO + ((n / 10) | 0);
}

/** The character code of the ones digit of `n`. */
function ones(n: number): number {
  return ZERO + n % 10;
}
