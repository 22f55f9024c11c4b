/**
 * The graceful stop: quoting is suppressed, commands in flight are waited for, then every symbol
 * is cleared at the venue and the venue is asked what it still holds (shutdown.ts), all within
 * the stop's budget. Only when the venue confirms that none of our orders rests is the dead-man
 * switch disarmed and the stop clean; otherwise the switch is left armed to cancel what is left,
 * and the report says so. A runner yielding to another instance clears only its own orders and
 * never touches the switch (it is per account and symbol, shared with the other instance).
 */
import { within, type Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Venue } from '../core/venue.ts';
import type { DeadmanSwitch } from './deadman-switch.ts';
import { clearSymbol } from './shutdown.ts';
import type { SymbolSession } from './symbol-session.ts';

/** How the runner stopped, for the exit code and the last log line. */
export interface StopReport {
  readonly reason: string;
  /** Orders the venue still listed, summed over symbols: 0 when every symbol was confirmed clear, null when not known. */
  readonly openOrdersLeft: number | null;
  /** True when the venue confirmed that none of our orders rests (and none can still appear). */
  readonly clean: boolean;
  /** What a person must know when the stop was not clean or not asked for. */
  readonly detail: string | null;
}

export interface StopContext {
  readonly venue: Venue;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly sessions: readonly SymbolSession[];
  readonly shutdownTimeoutMs: number;
  /** An order sent with an unknown outcome may reach the venue until this long after it was sent, ms. */
  readonly lateArrivalGraceMs: number;
  readonly deadman: DeadmanSwitch | null;
  readonly deadmanMs: number;
  /** Set when another live instance shares our prefix: which orders are ours, and why we stop. */
  readonly yielding: { readonly ours: (clientOrderId: string) => boolean; readonly detail: string } | null;
}

const msSince = (clock: Clock, startNs: bigint): number => Number((clock.monoNs() - startNs) / 1_000_000n);

/** Stops trading and clears the venue; returns the report (also logged as `runner_stopped`). */
export async function stopGracefully(ctx: StopContext, reason: string): Promise<StopReport> {
  const { clock, bus, deadman } = ctx;
  const started = clock.monoNs();
  for (const session of ctx.sessions) session.maker.setSuppressed('stopping');
  const deadline = started + BigInt(ctx.shutdownTimeoutMs) * 1_000_000n;
  await within(clock, Number((deadline - clock.monoNs()) / 1_000_000n), Promise.all(ctx.sessions.map((s) => s.executor.idle())));
  let left: number | null = 0;
  for (const session of ctx.sessions) {
    const n = await clearAtVenue(ctx, session, deadline);
    left = left === null || n === null ? null : left + n;
  }
  const clean = left === 0;
  deadman?.stop();
  if (clean && ctx.yielding === null && deadman !== null) await deadman.disarm();
  await ctx.venue.disconnect().catch(() => undefined);
  const mayRemain = clean
    ? null
    : `orders may remain at the exchange (${left === null ? 'the venue could not be read' : `${left} still listed`}); ${
        deadman === null ? 'no dead-man switch is armed: cancel them by hand' : `the dead-man switch stays armed and cancels them within ${ctx.deadmanMs} ms`
      }`;
  const detail = [ctx.yielding?.detail ?? null, mayRemain].filter((d) => d !== null).join('; ') || null;
  bus.emit('runner_stopped', {
    reason,
    open_orders_left: left,
    clean,
    deadman: deadman === null ? 'off' : clean && ctx.yielding === null ? 'disarmed' : 'left_armed',
    duration_ms: msSince(clock, started),
  });
  return { reason, openOrdersLeft: left, clean, detail };
}

/** Clears one symbol at the venue (only our orders when yielding); returns what it still lists, or null. */
async function clearAtVenue(ctx: StopContext, session: SymbolSession, deadline: bigint): Promise<number | null> {
  const started = ctx.clock.monoNs();
  const result = await clearSymbol({
    venue: ctx.venue,
    clock: ctx.clock,
    symbol: session.symbol,
    deadlineNs: deadline,
    lateArrivalUntilMs: session.maker.lateArrivalUntilMs(ctx.lateArrivalGraceMs),
    ...(ctx.yielding === null ? {} : { onlyOurs: ctx.yielding.ours }),
  });
  ctx.bus.emit('cancel_all_done', {
    symbol: session.symbol,
    cancelled: result.before === null || result.left === null ? 0 : Math.max(0, result.before - result.left),
    open_orders_left: result.left,
    duration_ms: msSince(ctx.clock, started),
    error: result.error,
    trigger: 'shutdown',
  });
  return result.left;
}
