/**
 * What a TypeScript client driver implements: how to open one connection of
 * its system and make the four kinds of call the workloads need. The shared
 * workload code (bench/workloads/) does the timing and the checking.
 *
 * @module
 */

/** The payload of every call and event: `{ a: i, s: "hello" }`, or more. */
export interface Payload {
  readonly a: number;
  readonly s: string;
}

/** Receives one event. */
export type OnEvent = (event: Payload) => void;

/** One open connection of a system. */
export interface Connection {
  /** One call of the server's echo procedure; resolves to its result. */
  echo(payload: Payload): Promise<Payload>;
  /**
   * Subscribes to a stream of `n` events `{ a: 0.. n-1, s: "hello" }` and
   * resolves after the last one was passed to `onEvent`.
   */
  events(n: number, onEvent: OnEvent): Promise<void>;
  /**
   * Subscribes to the fan-out topic; resolves once the server will deliver
   * every later publish to `onEvent`. The subscription lasts until `close`.
   */
  subscribe(onEvent: OnEvent): Promise<void>;
  /** Asks the server to publish `count` events to every subscriber. */
  publish(count: number): Promise<void>;
  /** Closes the connection. */
  close(): void | Promise<void>;
}

/** Receives one event of a resumed subscription, with its position. */
export type OnTrackedEvent = (id: string, event: Payload) => void;

/** A resumed subscription's connection. */
export interface ResumedConnection {
  /** Closes the connection. */
  close(): void;
}

/**
 * What W7 needs of a system whose fan-out topic resumes from a position (a
 * `lastEventId`), as wsrpc's topics do.
 */
export interface ResumeDriver {
  /**
   * Publishes `count` events to the fan-out topic on a connection of its own;
   * resolves to the newest event's position, `epoch:offset`.
   */
  prime(url: string, count: number): Promise<string>;
  /**
   * Opens a connection and subscribes to the fan-out topic after
   * `lastEventId`; resolves once the request is sent. Each event goes to
   * `onEvent`; anything else the server says instead (a gap, an error) and a
   * lost connection go to `onError`.
   */
  resume(
    url: string,
    lastEventId: string,
    onEvent: OnTrackedEvent,
    onError: (error: Error) => void,
  ): Promise<ResumedConnection>;
}

/** A system's client side. */
export interface SystemDriver {
  /** Opens one connection; resolves once a call can be made. */
  connect(url: string): Promise<Connection>;
  /** Makes the i-th payload; `{ a: i, s: "hello" }` when absent. */
  payload?(i: number): Payload;
  /** W7's side, for a system whose fan-out topic resumes; W7 fails without it. */
  resume?: ResumeDriver;
}

/** The default payload. */
export function plainPayload(i: number): Payload {
  return { a: i, s: "hello" };
}
