/**
 * The simulator's side of WebSocket liveness, as Binance's servers do it: every socket is pinged
 * on an interval and closed when its pong is overdue. A silenced socket (fault injection) is
 * neither pinged nor judged. Shared by the market/user hub and the WebSocket API server. This is
 * the network edge of the simulator, so it runs on the timers' clock (real time), not on the
 * simulated exchange's clock (which tests may freeze or step).
 */
import { WebSocket } from 'ws';
import { every, type Clock } from '../core/clock.ts';

/** What the pinger needs of a connection. */
export interface PingedClient {
  readonly ws: WebSocket;
  silent: boolean;
  /** When the unanswered ping was sent (the timers' monotonic ms), or null; reset by the owner on pong. */
  awaitingPongSinceMs: number | null;
}

/** Pings `clients()` every `pingIntervalMs`, terminating those silent for `pongTimeoutMs`; returns the stop. */
export function startPinging(clients: () => Iterable<PingedClient>, timers: Clock, pingIntervalMs: number, pongTimeoutMs: number): () => void {
  const pinging = every(
    timers,
    pingIntervalMs,
    () => {
      const now = Number(timers.monoNs()) / 1e6;
      for (const client of clients()) {
        if (client.silent) continue;
        if (client.awaitingPongSinceMs !== null && now - client.awaitingPongSinceMs > pongTimeoutMs) {
          client.ws.terminate();
          continue;
        }
        client.awaitingPongSinceMs ??= now;
        if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
      }
    },
    { background: true },
  );
  return () => pinging.cancel();
}
