/**
 * Spans whose ids exist at once and whose SDK object is built later, off the order's path.
 * Starting an SDK span costs tens of microseconds on a cold path (attribute cleaning, the
 * sampler, SpanImpl); the decision span's start sat between a market tick and its order request.
 * Here a decision gets a context that carries only the span's ids, which is all its log records,
 * event-log lines and CLIENT spans read from it. The real span is built with those very ids and
 * the recorded start and end times once the decision is over and the requests of the moment are
 * on the wire (after-wire.ts). `PresetIdGenerator` is the TracerProvider's id generator: it
 * hands the SDK the ids given out earlier. The ids are marked sampled, which is what the
 * provider's sampler (the default: parent-based, always on) decides for every such span.
 */
import { context, isSpanContextValid, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace';
import type { DecisionTracing } from '../runner/decision-tracing.ts';
import { afterWire } from './after-wire.ts';
import { SPANS } from './names.ts';

/** Random ids, except inside `withIds`, where the next span takes the ids given. */
export class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private presetTraceId: string | null = null;
  private presetSpanId: string | null = null;

  generateTraceId(): string {
    return this.presetTraceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.presetSpanId ?? this.random.generateSpanId();
  }

  /** Runs `start` (which starts one span) with the trace and span ids given. */
  withIds<T>(traceId: string, spanId: string, start: () => T): T {
    this.presetTraceId = traceId;
    this.presetSpanId = spanId;
    try {
      return start();
    } finally {
      this.presetTraceId = null;
      this.presetSpanId = null;
    }
  }
}

/**
 * Decision spans whose SDK object is built after the decision's requests are on the wire; with
 * no tracer (traces off) only the ids are handed out, which OTel log records still carry.
 */
export function deferredDecisionSpans(ids: PresetIdGenerator, tracer: Tracer | null): DecisionTracing {
  return {
    start(startTime, attributes) {
      const parent = context.active();
      const parentSpan = trace.getSpanContext(parent);
      // Outside withIds the generator's ids are random; a trace id only for a root decision.
      const traceId = parentSpan !== undefined && isSpanContextValid(parentSpan) ? parentSpan.traceId : ids.generateTraceId();
      const spanId = ids.generateSpanId();
      return {
        context: trace.setSpanContext(parent, { traceId, spanId, traceFlags: TraceFlags.SAMPLED }),
        end() {
          if (tracer === null) return;
          const endTime = performance.timeOrigin + performance.now();
          afterWire(() => ids.withIds(traceId, spanId, () => tracer.startSpan(SPANS.decision, { startTime, attributes }, parent)).end(endTime));
        },
      };
    },
  };
}
