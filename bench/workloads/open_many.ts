/** Opens many connections, a bounded number at a time. @module */

import type { Connection, SystemDriver } from "./system_driver.ts";

/**
 * Opens `count` connections to `url`, `batch` at a time, and runs `setup` on
 * each before the next batch starts. Closes what it opened if one fails.
 */
export async function openMany(
  driver: SystemDriver,
  url: string,
  count: number,
  batch: number,
  setup: (conn: Connection, index: number) => Promise<void>,
): Promise<Connection[]> {
  const conns: Connection[] = [];
  try {
    for (let first = 0; first < count; first += batch) {
      const size = Math.min(batch, count - first);
      await Promise.all(
        Array.from({ length: size }, async (_, k) => {
          const conn = await driver.connect(url);
          conns.push(conn);
          await setup(conn, first + k);
        }),
      );
    }
    return conns;
  } catch (error) {
    await closeAll(conns);
    throw error;
  }
}

/** Closes every connection, ignoring failures. */
export async function closeAll(conns: readonly Connection[]): Promise<void> {
  await Promise.allSettled(conns.map((conn) => conn.close()));
}
