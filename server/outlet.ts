/**
 * Where a connection and its subscriptions send their frames: the socket,
 * behind its send buffer.
 *
 * @module
 */

/** Where a connection sends its frames: the socket, behind its send buffer. */
export interface Outlet {
  /** Sends a frame, if the socket is still open. */
  send(text: string): void;
  /** Closes the connection. */
  close(code: number, reason: string): void;
  /** Whether the peer is too far behind for subscriptions to send more now. */
  readonly congested: boolean;
  /** Resolves once the peer has caught up, or `signal` fires. */
  whenDrained(signal: AbortSignal): Promise<void>;
}
