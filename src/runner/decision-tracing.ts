/**
 * The span around one quoting decision that sends something: its context is active while the
 * decision's events are published and its commands sent, and it ends once every command is
 * answered. By default an ordinary span of the global tracer (the tracer API; tests pass their
 * own port), timed on the runner's clock.
 */
import { context, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { Clock } from '../core/clock.ts';
import { INSTRUMENTATION_SCOPE, SPANS } from '../telemetry/names.ts';

export interface DecisionTrace {
  /** The context for the decision's events and requests (it carries the span). */
  readonly context: Context;
  /** Ends the span now. */
  end(): void;
}

export interface DecisionTracing {
  /** Starts a decision span as a child of the active context; `startTime` in epoch ms. */
  start(startTime: number, attributes: Attributes): DecisionTrace;
}

const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

/** Decision spans started and ended on the spot through the global tracer, ended at `clock`'s precise time. */
export function globalTracerDecisions(clock: Pick<Clock, 'preciseNowMs'>): DecisionTracing {
  return {
    start(startTime, attributes) {
      const span = tracer.startSpan(SPANS.decision, { startTime, attributes });
      // With a start time given, the SDK would end the span on its own millisecond wall clock:
      // possibly before the end of the requests it covers.
      return { context: trace.setSpan(context.active(), span), end: () => span.end(clock.preciseNowMs()) };
    },
  };
}
