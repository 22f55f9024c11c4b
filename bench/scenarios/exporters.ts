/**
 * Scenario 7: which stock OTLP exporter. The same batches (512 CLIENT spans as rest-tracing.ts
 * builds them, 512 log records as otel-events.ts emits them) exported through the stock
 * OTLP/HTTP JSON exporters (what the app uses) and their protobuf siblings, alternated, to a
 * loopback server in another process: CPU per item (serialization and the HTTP post) and bytes
 * per item on the wire.
 */
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { Child, flag, tell } from '../lib/proc.ts';
import { cpuMicros, median, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 20 : 80;
const BATCH = 512;
const sink = new Child('servers/otlp-sink.ts');
const url = String((await sink.expect('ready')).url);

const spanMemory = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spanMemory })] }).getTracer('mm-runner', '0.1.0');
const logMemory = new InMemoryLogRecordExporter();
const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logMemory })] }).getLogger('mm-runner', '0.1.0');
for (let i = 0; i < BATCH; i++) {
  const id = `mm-1x2y3z-b-${i}`;
  tracer
    .startSpan('POST /fapi/v1/order', {
      kind: 2,
      attributes: {
        'http.request.method': 'POST',
        'url.full': `http://127.0.0.1:8765/fapi/v1/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.005&price=65000.0&newClientOrderId=${id}&recvWindow=5000&timestamp=REDACTED&signature=REDACTED`,
        'server.address': '127.0.0.1',
        'server.port': 8765,
        'peer.service': 'exchange-sim',
        'server.service.name': 'exchange-sim',
        'mm.operation': 'newOrder',
        'http.response.status_code': 200,
        'binance.rate_limit.used_weight_1m': 12,
        'binance.rate_limit.order_count_10s': 3,
        'binance.rate_limit.order_count_1m': 40,
        'mm.symbol': 'BTCUSDT',
        'mm.order.client_id': id,
        'mm.order.side': 'BUY',
        'mm.order.type': 'LIMIT',
        'mm.order.outcome': 'accepted',
      },
    })
    .end();
  logger.emit({
    eventName: 'order_submit_result',
    body: 'order_submit_result',
    severityNumber: 9,
    severityText: 'INFO',
    attributes: {
      'event.name': 'order_submit_result',
      symbol: 'BTCUSDT',
      client_id: id,
      side: 'BUY',
      type: 'LIMIT',
      price: '65000.0',
      qty: '0.005',
      duration_ms: 0.231,
      outcome: 'accepted',
      order_id: String(8_000_000 + i),
    },
  });
}
const spans = spanMemory.getFinishedSpans();
const records = logMemory.getFinishedLogRecords();

type Variant = 'jsonSpans' | 'protoSpans' | 'jsonLogs' | 'protoLogs';
const exporters: Record<Variant, SpanExporter | LogRecordExporter> = {
  jsonSpans: new JsonTraceExporter({ url: `${url}/v1/traces` }),
  protoSpans: new ProtoTraceExporter({ url: `${url}/v1/traces` }),
  jsonLogs: new JsonLogExporter({ url: `${url}/v1/logs` }),
  protoLogs: new ProtoLogExporter({ url: `${url}/v1/logs` }),
};
const variants = Object.keys(exporters) as Variant[];
const cpu: Record<Variant, number[]> = { jsonSpans: [], protoSpans: [], jsonLogs: [], protoLogs: [] };
const bytes: Record<Variant, number> = { jsonSpans: 0, protoSpans: 0, jsonLogs: 0, protoLogs: 0 };

async function sinkBytes(): Promise<number> {
  sink.send({ type: 'counts' });
  return Number((await sink.expect('counts')).bytes);
}

for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length] as Variant;
    const items = v.endsWith('Spans') ? spans : records;
    const bytes0 = await sinkBytes();
    const c0 = cpuMicros();
    await new Promise<void>((done) => (exporters[v] as { export(items: unknown[], cb: () => void): void }).export(items, done));
    cpu[v].push((cpuMicros() - c0) / BATCH);
    bytes[v] = ((await sinkBytes()) - bytes0) / BATCH;
  }
}
for (const exporter of Object.values(exporters)) await exporter.shutdown();
await sink.stop();
const cpuPerItem = Object.fromEntries(variants.map((v) => [v, round(median(cpu[v]), 2)]));
const result = {
  scenario: 'exporters',
  rounds: ROUNDS,
  batch: BATCH,
  cpuPerItemUs: cpuPerItem,
  bytesPerItem: Object.fromEntries(variants.map((v) => [v, round(bytes[v], 0)])),
  headline: { cpuPerItemUs: cpuPerItem },
  protoOverJson: { spans: round(median(cpu.protoSpans) / median(cpu.jsonSpans)), logs: round(median(cpu.protoLogs) / median(cpu.jsonLogs)) },
};
tell({ type: 'result', result });
