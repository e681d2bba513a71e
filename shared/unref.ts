/**
 * Timers that don't keep a process alive by themselves.
 *
 * @module
 */

/**
 * Lets the process exit even while this timer is pending: Node-style timer
 * objects have `unref()`, Deno's numeric ids go through `Deno.unrefTimer`, and
 * browsers have neither and need neither.
 *
 * @param timer What `setTimeout` or `setInterval` returned.
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) {
    (timer as { unref(): void }).unref();
    return;
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
}
