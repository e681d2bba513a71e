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
    assert.equal(new Date(formatIsoDate(date)!).getTime(), time, "and it reads back");
  }
});

Deno.test("parseIsoDate reads what new Date reads", async (t) => {
  const same = (text: string) => {
    const expected = new Date(text).getTime();
    assert.equal(parseIsoDate(text).getTime(), expected, text);
  };

  await t.step("every day of leap and common years, and of years 0 to 9999", () => {
    for (const year of [0, 1, 99, 100, 1600, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-`;
          same(`${date}${String(day).padStart(2, "0")}T12:34:56.789Z`);
        }
      }
    }
  });

  await t.step("random times", () => {
    for (let i = 0; i < 20_000; i++) {
      const time = Math.floor((Math.random() - 0.5) * 2.5e14);
      const text = new Date(time).toISOString();
      assert.equal(parseIsoDate(text).getTime(), time, text);
    }
  });

  await t.step("text out of range or not in that form goes to new Date", () => {
    const texts = [
      "2026-02-29T00:00:00.000Z", // not a leap year
      "2026-04-31T00:00:00.000Z",
      "2026-00-10T00:00:00.000Z",
      "2026-13-10T00:00:00.000Z",
      "2026-12-01T24:00:00.000Z",
      "2026-12-01T23:60:00.000Z",
      "2026-12-01T23:59:60.000Z",
      "2026-12-01T10:00:00.000z",
      "2026-12-01t10:00:00.000Z",
      "2026-12-01T10:00:00.00AZ",
      "2026-12-01T10:00:0A.000Z",
      "2026-1A-01T10:00:00.000Z",
      "20X6-12-01T10:00:00.000Z",
      "+2026-12-01T10:00:00.000Z",
      "2026-12-01T10:00:00.000+01:00",
      "2026-12-01T10:00:00Z",
      "2026-12-01",
      " 2026-12-01T10:00:00.00Z",
      "2026-12-01T10:00:00.000 ",
      "2026-12-01T10:00:00,000Z",
      "2026/12/01T10:00:00.000Z",
      "",
      "not a date",
    ];
    for (const text of texts) same(text);
  });
});
