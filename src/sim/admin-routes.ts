/**
 * The simulator's admin API under /sim/admin/* (JSON in, JSON out), so that another process
 * can read the account state and drive the fault knobs of a running simulator.
 */
import { z } from 'zod';
import type { FaultController, WsApiFault } from './faults.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';
import { simState } from './sim-state.ts';

export interface AdminContext {
  readonly exchange: SimulatedExchange;
  readonly faults: FaultController;
  readonly step: (n: number) => void;
}

/** A malformed admin request (bad JSON or fields). */
export class AdminRequestError extends Error {
  readonly code = 'SIM_ERR_ADMIN_REQUEST';
}

const target = z.enum(['market', 'user', 'api', 'all']);
const count = z.number().int().min(0).optional();
const settings = z
  .object({
    latencyMs: z.number().min(0),
    latencyJitterMs: z.number().min(0),
    http500Probability: z.number().min(0).max(1),
    http502Probability: z.number().min(0).max(1),
    order503Probability: z.number().min(0).max(1),
    order503Mode: z.enum(['not-created', 'created']),
  })
  .partial()
  .strict();

const wsApiFault = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('drop'), processed: z.boolean().optional() }),
    z.object({ kind: z.literal('hold'), ms: z.number().int().min(0) }),
    z.object({ kind: z.literal('rate-limit'), retryAfterSec: z.number().int().min(0).optional() }),
    z.object({ kind: z.literal('timestamp') }),
    z.object({ kind: z.literal('unknown'), mode: z.enum(['not-created', 'created']) }),
  ])
  .and(z.object({ method: z.string().min(1).max(40).optional(), count: z.number().int().min(1).optional() }));

/** Returns the WebSocket API fault an admin request describes. */
function toWsApiFault(body: z.infer<typeof wsApiFault>): WsApiFault {
  switch (body.kind) {
    case 'drop':
      return { kind: 'drop', processed: body.processed ?? false };
    case 'hold':
      return { kind: 'hold', ms: body.ms };
    case 'rate-limit':
      return { kind: 'rate-limit', retryAfterSec: body.retryAfterSec ?? 1 };
    case 'timestamp':
      return { kind: 'timestamp' };
    case 'unknown':
      return { kind: 'unknown', mode: body.mode };
  }
}

type Handler = (ctx: AdminContext, body: unknown) => unknown;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new AdminRequestError(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return result.data;
}

const handlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['GET /sim/admin/state', (ctx) => simState(ctx.exchange)],
  ['GET /sim/admin/faults', (ctx) => ctx.faults.snapshot()],
  [
    'POST /sim/admin/faults',
    (ctx, body) => {
      const change = parse(settings, body);
      const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
      ctx.faults.configure(defined);
      return ctx.faults.snapshot();
    },
  ],
  ['POST /sim/admin/faults/clear', (ctx) => (ctx.faults.reset(), ctx.faults.snapshot())],
  [
    'POST /sim/admin/faults/force429',
    (ctx, body) => {
      const b = parse(z.object({ count, retryAfterSec: z.number().int().min(0).optional() }).strict(), body);
      ctx.faults.force429(b.count ?? 1, b.retryAfterSec ?? 1);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/faults/ban',
    (ctx, body) => {
      ctx.faults.ban(parse(z.object({ ms: z.number().int().min(0) }).strict(), body).ms);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/faults/timestamp',
    (ctx, body) => {
      ctx.faults.forceTimestampErrors(parse(z.object({ count }).strict(), body).count ?? 1);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/faults/hold',
    (ctx, body) => {
      const b = parse(z.object({ ms: z.number().int().min(0), count }).strict(), body);
      ctx.faults.holdRequests(b.ms, b.count ?? 1);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/faults/reset-connection',
    (ctx, body) => {
      ctx.faults.resetConnections(parse(z.object({ count }).strict(), body).count ?? 1);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/ws/drop',
    (ctx, body) => {
      const b = parse(z.object({ target, code: z.number().int().min(1000).max(4999).optional() }).strict(), body);
      return { dropped: ctx.faults.dropSockets(b.target, b.code ?? null) };
    },
  ],
  [
    'POST /sim/admin/ws/silence',
    (ctx, body) => {
      const b = parse(z.object({ target, silent: z.boolean().optional(), includingNew: z.boolean().optional() }).strict(), body);
      return { affected: ctx.faults.silenceSockets(b.target, b.silent ?? true, { includingNew: b.includingNew ?? false }) };
    },
  ],
  [
    'POST /sim/admin/ws/inject',
    (ctx, body) => {
      const b = parse(z.object({ target, frame: z.string().max(65_536) }).strict(), body);
      return { sent: ctx.faults.injectFrame(b.target, b.frame) };
    },
  ],
  [
    'POST /sim/admin/ws-api/fault',
    (ctx, body) => {
      const b = parse(wsApiFault, body);
      ctx.faults.armWsApiFault(toWsApiFault(b), {
        ...(b.method !== undefined ? { method: b.method } : {}),
        ...(b.count !== undefined ? { count: b.count } : {}),
      });
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/ws-api/outage',
    (ctx, body) => {
      const b = parse(z.object({ down: z.boolean() }).strict(), body);
      return { down: b.down, dropped: ctx.faults.setWsApiDown(b.down) };
    },
  ],
  ['POST /sim/admin/listen-key/expire', (ctx) => (ctx.faults.expireListenKeyNow(), { expired: true })],
  [
    'POST /sim/admin/listen-key/reject-keepalive',
    (ctx, body) => {
      ctx.faults.rejectNextKeepalive(parse(z.object({ count }).strict(), body).count ?? 1);
      return ctx.faults.snapshot();
    },
  ],
  [
    'POST /sim/admin/step',
    (ctx, body) => {
      const n = parse(z.object({ n: z.number().int().min(1).max(100_000).optional() }).strict(), body).n ?? 1;
      ctx.step(n);
      return { stepped: n, serverTime: ctx.exchange.clock.nowMs() };
    },
  ],
]);

/** Returns the admin handler for "METHOD /path", or undefined. */
export function adminHandler(method: string, path: string): Handler | undefined {
  return handlers.get(`${method} ${path}`);
}
