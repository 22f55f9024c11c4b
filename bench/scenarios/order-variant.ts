/**
 * One variant of scenario 1 in a process of its own (its CPU figures hold only its own work, and
 * each variant has the OpenTelemetry globals to itself). It builds its order path once, then runs
 * a block of orders each time the parent asks and answers with every order's round trip, its
 * work before the wire, and the block's CPU per order (the deferred telemetry and the flush of
 * every sink included). Variants:
 * - `bare`: no decorator, no listeners;
 * - `ours`: the src/app.ts stack (bench/lib/stack.ts); `ours-buffered`: the same, with an event
 *   log that writes nothing ahead (what write-ahead costs);
 * - `before`: the stack of the "before" tree (bench/lib/before-tree.ts), hand-written serializers;
 * - `documented`: NodeSDK, undici and pino instrumentation (bench/lib/documented-stack.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/core/events.ts';
import { SystemClock } from '../../src/runner/clocks.ts';
import { globalTracerDecisions, type DecisionTracing } from '../../src/runner/decision-tracing.ts';
import { beforeTree } from '../lib/before-tree.ts';
import type * as OrderPathModule from '../lib/order-path.ts';
import { arg, fromParent, REPO_ROOT, tell } from '../lib/proc.ts';
import { fullStack } from '../lib/stack.ts';
import { cpuMicros } from '../lib/stats.ts';

type Variant = 'bare' | 'ours' | 'ours-buffered' | 'before' | 'documented';
const variant = arg('variant', 'ours') as Variant;
const restUrl = arg('rest', '');
const otlpUrl = arg('otlp', '');
const blockSize = Number(arg('block', '300'));

const root = variant === 'before' ? beforeTree() : REPO_ROOT;
const lib = (await import(join(root, 'bench/lib/order-path.ts'))) as typeof OrderPathModule;

interface Built {
  readonly path: OrderPathModule.OrderPath;
  readonly decisions: DecisionTracing | null;
  /** Runs whatever the deferred work of a decision span is (the "before" tree built it later). */
  readonly drainDeferred: () => void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface BeforeStack {
  readonly bus: EventBus;
  readonly decorate: Parameters<typeof OrderPathModule.orderPath>[2];
  readonly telemetry: { readonly decisions: DecisionTracing };
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function build(): Promise<Built> {
  switch (variant) {
    case 'bare':
      return {
        path: await lib.orderPath(restUrl, new EventBus(new SystemClock()), null, null),
        decisions: null,
        drainDeferred: () => {},
        flush: async () => {},
        close: async () => {},
      };
    case 'ours':
    case 'ours-buffered': {
      const stack = fullStack({ otlpUrl, restUrl, symbols: ['BTCUSDT'], writeAhead: variant === 'ours' });
      const decisions = globalTracerDecisions(new SystemClock());
      const path = await lib.orderPath(restUrl, stack.bus, stack.decorate, decisions);
      return {
        path,
        decisions,
        drainDeferred: () => stack.afterWire.drain(),
        flush: () => stack.flush(),
        close: () => stack.close(),
      };
    }
    case 'before': {
      const stackModule = (await import(join(root, 'bench/lib/stack.ts'))) as { fullStack(o: object): BeforeStack };
      const afterWire = (await import(join(root, 'src/telemetry/after-wire.ts'))) as { drainDeferred(): void };
      const stack = stackModule.fullStack({ otlpUrl, restUrl, symbols: ['BTCUSDT'] });
      const path = await lib.orderPath(restUrl, stack.bus, stack.decorate, stack.telemetry.decisions);
      return {
        path,
        decisions: stack.telemetry.decisions,
        drainDeferred: () => afterWire.drainDeferred(),
        flush: () => stack.flush(),
        close: () => stack.close(),
      };
    }
    case 'documented': {
      const { documentedStack } = await import('../lib/documented-stack.ts');
      const stack = documentedStack({
        otlpUrl,
        eventLogPath: join(mkdtempSync(join(tmpdir(), 'mm-bench-documented-')), 'runner_events.log'),
        symbols: ['BTCUSDT'],
        source: {
          views: () => [],
          instrument: () => undefined,
          venueStatus: () => null,
          rateLimits: () => ({}),
          readiness: () => ({ exchange: true, risk: true, state: true }),
          droppedOutsideSdk: () => ({}),
          eventLogFaults: () => ({}),
        },
      });
      const decisions = globalTracerDecisions(new SystemClock());
      const path = await lib.orderPath(restUrl, stack.bus, null, decisions);
      return { path, decisions, drainDeferred: () => {}, flush: () => stack.flush(), close: () => stack.close() };
    }
  }
}

const built = await build();
const { wire } = lib;

async function block(): Promise<{ rtt: number[]; prewire: number[]; cpuPerOrder: number }> {
  const rtt: number[] = [];
  const prewire: number[] = [];
  const cpu0 = cpuMicros();
  for (let i = 0; i < blockSize; i++) {
    const order = lib.nextOrder(built.path.instrument, variant.slice(0, 2));
    wire.prewireUs = Number.NaN;
    const t0 = performance.now();
    wire.armed = t0;
    await built.path.place(order);
    rtt.push((performance.now() - t0) * 1000);
    prewire.push(wire.prewireUs);
  }
  await built.flush();
  return { rtt, prewire, cpuPerOrder: (cpuMicros() - cpu0) / blockSize };
}

/** The decision span the runner opens before executing: its cost on the decision's path, and what is deferred. */
function decisionSpans(): { startUs: number[]; deferredUs: number[] } {
  const startUs: number[] = [];
  const deferredUs: number[] = [];
  if (built.decisions === null) return { startUs, deferredUs };
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    built.decisions.start(performance.timeOrigin + t0, { 'mm.symbol': 'BTCUSDT', 'mm.decision.commands': 1 }).end();
    const t1 = performance.now();
    built.drainDeferred();
    startUs.push((t1 - t0) * 1000);
    deferredUs.push((performance.now() - t1) * 1000);
  }
  return { startUs, deferredUs };
}

tell({ type: 'ready' });
for (;;) {
  const { cmd } = await fromParent('cmd');
  if (cmd === 'block') tell({ type: 'block-result', ...(await block()) });
  else if (cmd === 'spans') tell({ type: 'spans-result', ...decisionSpans() });
  else break;
}
await built.path.close();
await built.close();
tell({ type: 'stopped' });
process.exit(0);
