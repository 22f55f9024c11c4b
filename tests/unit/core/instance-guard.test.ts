/**
 * Telling a second live instance with our prefix from the orphans of a crashed session: only an
 * order created after we connected proves a session alive, and the younger session yields.
 */
import { describe, expect, it } from 'vitest';
import { sessionOf } from '../../../src/core/client-order-ids.ts';
import { InstanceGuard } from '../../../src/core/instance-guard.ts';
import { orderUpdate, T0 } from './fixtures.ts';

const ours = (T0 + 5_000).toString(36);
const older = T0.toString(36);
const younger = (T0 + 9_000).toString(36);
const guard = () => new InstanceGuard({ prefix: 'mm', sessionId: ours, connectedAtVenueMs: T0 + 6_000 });
const created = (id: string, atMs: number, execution: 'NEW' | 'CANCELED' | 'TRADE' = 'NEW') =>
  orderUpdate(id, { side: 'BUY', priceTicks: 650_000, qtySteps: 5 }, { execution, txTimeMs: atMs, eventTimeMs: atMs });

describe('InstanceGuard', () => {
  it('reads the session id out of a client id', () => {
    expect(sessionOf('mm', `mm-${ours}-q1f`)).toBe(ours);
    expect(sessionOf('mm', 'other-abc-q1')).toBeNull();
    expect(sessionOf('mm', 'mm-NOT_A_SESSION-q1')).toBeNull();
  });

  it('an older session creating an order after we connected is alive: we yield', () => {
    expect(guard().observe(created(`mm-${older}-q7`, T0 + 7_000))).toEqual({ kind: 'yield', otherSession: older, clientOrderId: `mm-${older}-q7` });
  });

  it('a younger session creating orders: it yields, we go on', () => {
    expect(guard().observe(created(`mm-${younger}-q1`, T0 + 9_500))).toEqual({
      kind: 'other_yields',
      otherSession: younger,
      clientOrderId: `mm-${younger}-q1`,
    });
  });

  it('orphans of a crashed session (created before we connected, or only cancelled or filled since) prove nothing', () => {
    const g = guard();
    expect(g.observe(created(`mm-${older}-q7`, T0 + 5_900))).toEqual({ kind: 'none' });
    expect(g.observe(created(`mm-${older}-q7`, T0 + 7_000, 'CANCELED'))).toEqual({ kind: 'none' });
    expect(g.observe(created(`mm-${older}-q7`, T0 + 7_000, 'TRADE'))).toEqual({ kind: 'none' });
  });

  it('our own orders and other prefixes are ignored; each other session is reported once', () => {
    const g = guard();
    expect(g.observe(created(`mm-${ours}-q1`, T0 + 7_000))).toEqual({ kind: 'none' });
    expect(g.observe(created(`desk2-${older}-q1`, T0 + 7_000))).toEqual({ kind: 'none' });
    expect(g.observe(created(`mm-${younger}-q1`, T0 + 9_500)).kind).toBe('other_yields');
    expect(g.observe(created(`mm-${younger}-q2`, T0 + 9_600))).toEqual({ kind: 'none' });
  });
});
