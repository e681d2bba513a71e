import assert from "node:assert/strict";
import { formatIsoDate } from "./iso_date.ts";

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
