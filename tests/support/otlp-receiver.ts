/**
 * A loopback OTLP/HTTP JSON receiver for tests: collects every span and log record the runner
 * exports, flattened to plain objects, and can be told to answer with errors or hang.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
}

export interface ReceivedLog {
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
  readonly severityText: string;
  readonly body: unknown;
  readonly attributes: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

function anyValue(v: Record<string, unknown> | undefined): unknown {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attrs((v.kvlistValue as { values?: OtlpKeyValue[] }).values);
  return null;
}

function attrs(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export type ReceiverMode = 'ok' | 'error' | 'hang';

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  /** Every request body as received, for secret scans. */
  readonly rawBodies: string[] = [];
  mode: ReceiverMode = 'ok';
  private server: Server | null = null;
  private readonly hanging = new Set<() => void>();

  /** Starts listening on 127.0.0.1 and returns the base URL (for OTEL_EXPORTER_OTLP_ENDPOINT). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.mode === 'hang') {
          this.hanging.add(() => res.destroy());
          return;
        }
        if (this.mode === 'error') {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{}');
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        this.rawBodies.push(text);
        try {
          this.ingest(req.url ?? '', JSON.parse(text) as Record<string, unknown>);
        } catch {
          // A body we cannot parse is kept in rawBodies for the secret scan.
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    this.hanging.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private ingest(path: string, body: Record<string, unknown>): void {
    if (path.endsWith('/v1/traces')) {
      for (const rs of (body.resourceSpans as Array<Record<string, unknown>>) ?? []) {
        const resource = attrs((rs.resource as { attributes?: OtlpKeyValue[] } | undefined)?.attributes);
        for (const ss of (rs.scopeSpans as Array<Record<string, unknown>>) ?? []) {
          for (const s of (ss.spans as Array<Record<string, unknown>>) ?? []) {
            this.spans.push({
              traceId: String(s.traceId ?? ''),
              spanId: String(s.spanId ?? ''),
              parentSpanId: String(s.parentSpanId ?? ''),
              name: String(s.name ?? ''),
              kind: Number(s.kind ?? 0),
              startTimeUnixNano: BigInt(String(s.startTimeUnixNano ?? 0)),
              endTimeUnixNano: BigInt(String(s.endTimeUnixNano ?? 0)),
              attributes: attrs(s.attributes as OtlpKeyValue[]),
              resource,
            });
          }
        }
      }
    } else if (path.endsWith('/v1/logs')) {
      for (const rl of (body.resourceLogs as Array<Record<string, unknown>>) ?? []) {
        const resource = attrs((rl.resource as { attributes?: OtlpKeyValue[] } | undefined)?.attributes);
        for (const sl of (rl.scopeLogs as Array<Record<string, unknown>>) ?? []) {
          for (const l of (sl.logRecords as Array<Record<string, unknown>>) ?? []) {
            this.logs.push({
              traceId: String(l.traceId ?? ''),
              spanId: String(l.spanId ?? ''),
              eventName: String(l.eventName ?? ''),
              severityText: String(l.severityText ?? ''),
              body: anyValue(l.body as Record<string, unknown>),
              attributes: attrs(l.attributes as OtlpKeyValue[]),
              resource,
            });
          }
        }
      }
    }
  }
}
