/**
 * Test helpers for time: wait for a condition, or a while.
 *
 * @module
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` until it holds.
 *
 * @param condition What to wait for.
 * @param what What is awaited, for the error message.
 * @param timeout Milliseconds before giving up.
 * @throws {Error} When it does not hold in time.
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeout = 5000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}
