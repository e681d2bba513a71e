/**
 * Dates as ISO 8601 text (`2026-12-01T10:00:00.000Z`), the way superjson
 * writes them, in about half the time of `Date.prototype.toISOString`,
 * which goes through V8's general date formatting. (Reading them back,
 * `new Date(text)` is as fast as a hand-written parser.) Years outside 1000
 * to 9999 go to the built-in.
 *
 * @module
 */

const DIGITS = Array.from({ length: 100 }, (_, n) => n < 10 ? `0${n}` : String(n));

/**
 * The same text as `date.toISOString()`.
 *
 * @param date A valid Date.
 * @returns Its ISO 8601 text, in UTC.
 */
export function formatIsoDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) return date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${year}-${DIGITS[date.getUTCMonth() + 1]}-${DIGITS[date.getUTCDate()]}T${
    DIGITS[date.getUTCHours()]
  }:${DIGITS[date.getUTCMinutes()]}:${DIGITS[date.getUTCSeconds()]}.${
    ms < 10 ? "00" : ms < 100 ? "0" : ""
  }${ms}Z`;
}
