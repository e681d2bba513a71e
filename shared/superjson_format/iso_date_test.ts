import assert from "node:assert/strict";
import { formatIsoDate, parseIsoDate } from "./iso_date.ts";

/** Compares two Dates, invalid ones included. */
function sameTime(a: Date, b: Date, text: string): void {
  assert.ok(Object.is(a.getTime(), b.getTime()), `${text}: ${a.getTime()} vs ${b.getTime()}`);
}

Deno.test("formatIsoDate writes what toISOString writes", () => {
  const times = [0, -1, 1, 999, 1000, 86_399_999, Date.UTC(999, 11, 31, 23, 59, 59, 999)];
  times.push(Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1));
  times.push(-62_000_000_000_000, 8.64e15, -8.64e15);
  for (let i = 0; i < 20_000; i++) times.push(Math.floor((Math.random() - 0.3) * 1e14));
  for (const time of times) {
    const date = new Date(time);
    assert.equal(formatIsoDate(date), date.toISOString());
  }
});

Deno.test("parseIsoDate reads what new Date reads", () => {
  const texts = [
    "2026-12-01T10:00:00.000Z",
    "1000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "0999-12-31T23:59:59.999Z",
    "2024-02-29T12:00:00.000Z",
    "2023-02-29T12:00:00.000Z", // not a leap year
    "2026-02-30T00:00:00.000Z",
    "2026-04-31T00:00:00.000Z",
    "2026-13-01T00:00:00.000Z",
    "2026-00-10T00:00:00.000Z",
    "2026-01-00T00:00:00.000Z",
    "2026-01-01T24:00:00.000Z",
    "2026-01-01T23:60:00.000Z",
    "2026-01-01T23:59:60.000Z",
    "2026-01-01T10:00:00.000+",
    "2026-01-01 10:00:00.000Z",
    "2026-0a-01T10:00:00.000Z",
    "+010000-01-01T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "2026-12-01",
    "not a date",
    "",
  ];
  for (let i = 0; i < 20_000; i++) {
    texts.push(new Date(Math.floor(Math.random() * 2.5e14 - 3e13)).toISOString());
  }
  for (const text of texts) sameTime(parseIsoDate(text), new Date(text), text);
});
