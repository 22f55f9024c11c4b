/**
 * Binance's timing security for signed requests, shared by REST and the WebSocket API: a
 * `timestamp` more than 1 s ahead of the server or older than `recvWindow` (default 5000 ms, at
 * most 60000 ms) is refused with -1021.
 */
import { apiErrors } from './errors.ts';

const TIMESTAMP_AHEAD_MS = 1000;
const DEFAULT_RECV_WINDOW_MS = 5000;
const MAX_RECV_WINDOW_MS = 60_000;

/** Throws the BinanceApiError Binance answers when a signed request's timestamp or recvWindow is not acceptable at `nowMs`. */
export function checkTiming(params: URLSearchParams, nowMs: number, forceTimestampError: boolean): void {
  const timestampText = params.get('timestamp');
  if (timestampText === null || !/^\d+$/.test(timestampText)) throw apiErrors.mandatory('timestamp');
  const recvWindow = recvWindowOf(params);
  const timestamp = Number(timestampText);
  if (forceTimestampError || timestamp > nowMs + TIMESTAMP_AHEAD_MS || nowMs - timestamp > recvWindow) throw apiErrors.timestamp();
}

/** Returns the recvWindow of a signed request (default 5000 ms); -1130 when malformed, -1131 above 60000 ms. */
function recvWindowOf(params: URLSearchParams): number {
  const text = params.get('recvWindow');
  if (text === null || text === '') return DEFAULT_RECV_WINDOW_MS;
  if (!/^\d{1,16}$/.test(text)) throw apiErrors.illegalValue('recvWindow');
  const recvWindow = Number(text);
  if (recvWindow > MAX_RECV_WINDOW_MS) throw apiErrors.recvWindowTooLarge();
  return recvWindow;
}
