import assert from "node:assert/strict";
import { formatIsoDate, parseIsoDate } from "./iso_date.ts";

Deno.test("formatIsoDate writes what toISOString writes", () => {
  const times = [0, -1, 1, 999, 1000, 86_399_999, Date.UTC(999, 11, 31, 23, 59, 59, 999)];
  times.push(Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1));
  times.push(-62_000_000_000_000, 8.64e15, -8.64e15);
  for (let i = 0; i < 20_000; i++) times.push(Math.floor((Math.random() - 0.3) * 1e14));
  for (const time of times) {
    const date = new Date(time);
    assert.equal(formatIsoDate(date), date.toISOString());
    assert.equal(new Date(formatIsoDate(date)).getTime(), time, "and it reads back");
  }
});

Deno.test("parseIsoDate reads what new Date reads", () => {
  const texts: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    texts.push(new Date(Math.floor((Math.random() - 0.3) * 1e14)).toISOString());
  }
  texts.push(
    "1970-01-01T00:00:00.000Z",
    "0999-12-31T23:59:59.999Z",
    "1000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "2024-02-29T12:00:00.000Z",
    "2023-02-29T12:00:00.000Z", // rolled over by new Date
    "2100-02-29T00:00:00.000Z",
    "2000-02-29T00:00:00.000Z",
    "2026-04-31T00:00:00.000Z",
    "2026-01-01T24:00:00.000Z",
    "2026-01-01T23:60:00.000Z",
    "2026-01-01T23:59:60.000Z",
    "2026-00-01T00:00:00.000Z",
    "2026-13-01T00:00:00.000Z",
    "2026-01-00T00:00:00.000Z",
    "2026-01-01T00:00:00.000z",
    "2026-01-01 00:00:00.000Z",
    "2026-01-01T00:00:00.00+Z",
    "2026-01-01T00:00:00.-00Z",
    "2026-01-01T-1:00:00.000Z",
    "+2026-01-01T00:00:00.000",
    "2026-01-01T00:00:00.000+01:00",
    "2026-01-01",
    "not a date at all, 24 ch",
    "",
  );
  for (const text of texts) {
    const expected = new Date(text).getTime();
    const got = parseIsoDate(text).getTime();
    assert.ok(Object.is(got, expected), `${text}: ${got} and not ${expected}`);
  }
});
