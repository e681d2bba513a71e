import assert from "node:assert/strict";
import { CallTable } from "./call_table.ts";

interface Call {
  readonly id: number;
  readonly name: string;
}

const call = (id: number, name = `call ${id}`): Call => ({ id, name });

Deno.test("CallTable holds calls by id, like a Map", async (t) => {
  await t.step("adds, finds, replaces and deletes", () => {
    const table = new CallTable<Call>();
    assert.equal(table.size, 0);
    table.add(call(1));
    table.add(call(2));
    assert.equal(table.size, 2);
    assert.equal(table.get(1)?.name, "call 1");
    assert.equal(table.get(3), undefined);
    table.add(call(1, "again"));
    assert.equal(table.size, 2);
    assert.equal(table.get(1)?.name, "again");
    assert.equal(table.delete(1), true);
    assert.equal(table.delete(1), false);
    assert.equal(table.get(1), undefined);
    assert.equal(table.size, 1);
  });

  await t.step("an id whose slot an older call holds is kept beside the ring", () => {
    const table = new CallTable<Call>();
    const slow = call(5, "slow");
    table.add(slow);
    // 1024 slots: 5 + 1024 and 5 + 2048 land in the slow call's slot.
    table.add(call(5 + 1024));
    table.add(call(5 + 2048));
    assert.equal(table.size, 3);
    assert.equal(table.get(5), slow);
    assert.equal(table.get(5 + 1024)?.id, 5 + 1024);
    assert.equal(table.get(5 + 2048)?.id, 5 + 2048);
    table.add(call(5 + 1024, "replaced"));
    assert.equal(table.size, 3);
    assert.equal(table.get(5 + 1024)?.name, "replaced");
    // The slot's own call leaving does not lose the others.
    assert.equal(table.delete(5), true);
    assert.equal(table.get(5), undefined);
    assert.equal(table.get(5 + 1024)?.name, "replaced");
    assert.equal(table.delete(5 + 2048), true);
    assert.equal(table.delete(5 + 2048), false);
    assert.equal(table.size, 1);
    // Its slot free again, an id kept beside the ring is still replaced where it is.
    table.add(call(5 + 1024, "replaced twice"));
    assert.equal(table.size, 1);
    assert.equal(table.get(5 + 1024)?.name, "replaced twice");
    assert.deepEqual(table.values().map((value) => value.name), ["replaced twice"]);
    assert.equal(table.delete(5 + 1024), true);
    assert.equal(table.get(5 + 1024), undefined);
    assert.equal(table.size, 0);
    table.add(call(5 + 1024));
    // The freed slot takes the next id that maps to it.
    table.add(call(5 + 3072));
    assert.equal(table.get(5 + 3072)?.id, 5 + 3072);
    assert.equal(table.size, 2);
  });

  await t.step("many more calls in flight than slots", () => {
    const table = new CallTable<Call>();
    for (let id = 1; id <= 5000; id++) table.add(call(id));
    assert.equal(table.size, 5000);
    for (let id = 1; id <= 5000; id += 2) assert.equal(table.delete(id), true);
    assert.equal(table.size, 2500);
    for (let id = 1; id <= 5000; id++) assert.equal(table.get(id)?.id, id % 2 ? undefined : id);
  });

  await t.step("ids past 2³¹, where a bitwise and wraps to a negative number", () => {
    const table = new CallTable<Call>();
    const ids = [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
    for (const id of ids) table.add(call(id));
    for (const id of ids) assert.equal(table.get(id)?.id, id);
    assert.equal(table.get(7), undefined);
    for (const id of ids) assert.equal(table.delete(id), true);
    assert.equal(table.size, 0);
  });

  await t.step("values come in id order, as a snapshot that may be changed while read", () => {
    const table = new CallTable<Call>();
    for (const id of [3, 1030, 1, 6, 2054]) table.add(call(id));
    const values = table.values();
    assert.deepEqual(values.map((value) => value.id), [1, 3, 6, 1030, 2054]);
    for (const value of values) table.delete(value.id);
    assert.equal(table.size, 0);
    assert.deepEqual(table.values(), []);
  });

  await t.step("clear empties the ring and what is beside it", () => {
    const table = new CallTable<Call>();
    table.add(call(1));
    table.add(call(1 + 1024));
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(table.get(1), undefined);
    assert.equal(table.get(1 + 1024), undefined);
    table.add(call(1 + 1024));
    assert.equal(table.get(1 + 1024)?.id, 1 + 1024);
  });
});
