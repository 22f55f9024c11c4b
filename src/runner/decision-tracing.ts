/**
 * The span around one quoting decision that sends something: its context is active while the
 * decision's events are published and its commands sent, and it ends once every command is
 * answered. The runner starts it through this port so that the telemetry can build the span off
 * the order's path (telemetry/deferred-spans.ts); without one it is an ordinary span of the
 * global tracer.
 */
import { context, trace, type Attributes, type Context } from '@opentelemetry/api';
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

/** Decision spans started and ended on the spot through the global tracer. */
export const globalTracerDecisions: DecisionTracing = {
  start(startTime, attributes) {
    const span = tracer.startSpan(SPANS.decision, { startTime, attributes });
    return { context: trace.setSpan(context.active(), span), end: () => span.end() };
  },
};
