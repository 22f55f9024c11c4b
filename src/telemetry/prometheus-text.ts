/**
 * The /metrics body: byte for byte what @opentelemetry/exporter-prometheus 0.301's
 * PrometheusSerializer writes with the exporter's defaults (no prefix, no timestamps, a
 * target_info family, otel_scope_* labels on every sample), built faster. What does not change
 * between scrapes is escaped once and cached: the HELP/UNIT/TYPE lines per family, the label
 * text per data-point attributes object, per scope and per histogram boundaries array.
 *
 * The attribute cache is keyed by object identity. That is sound because sdk-metrics keeps the
 * attributes object of a series' first measurement and hands that same object back on every
 * collect (its AttributeHashMap never replaces a stored key), and because attributes must not be
 * mutated once recorded (the SDK hashes them at record time).
 */
import { diag, type Attributes, type AttributeValue } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { DataPointType, type DataPoint, type Histogram, type MetricData, type MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { TextMasker } from './masking.ts';

const TARGET_INFO = 'target_info';
const NO_REGISTERED_METRICS = '# no registered metrics';

interface FamilyMetadata {
  help: string;
  unit: string;
  readonly type: string;
}

interface Family {
  metadata: FamilyMetadata | undefined;
  members: Array<{ readonly metric: MetricData; readonly scope: InstrumentationScope }>;
}

interface CachedHeader {
  readonly help: string;
  readonly unit: string;
  readonly type: string;
  readonly text: string;
}

/** Returns HELP/UNIT text escaped the exporter's way (backslash and newline only). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Returns a label value escaped for the exposition format; non-strings are JSON-encoded first. */
function escapeLabelValue(value: AttributeValue | undefined): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return escapeText(text).replace(/"/g, '\\"');
}

function sanitizeName(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

/** Returns `k="v",k2="v2"` for the attributes in Object.entries order ('' when there are none), values masked. */
function labelText(attributes: Attributes, mask: TextMasker | null): string {
  let text = '';
  for (const [key, value] of Object.entries(attributes)) {
    const shown = mask !== null && typeof value === 'string' ? mask(value) : value;
    text += `${text.length > 0 ? ',' : ''}${sanitizeName(key)}="${escapeLabelValue(shown)}"`;
  }
  return text;
}

function sampleValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function prometheusType(metric: MetricData): string {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return 'untyped';
  }
}

/**
 * Serializes collected metrics into the Prometheus text format, identical to the stock exporter's
 * output. Keep one instance per reader: its caches (and its memory of already-reported metadata
 * conflicts) live across scrapes.
 */
export class PrometheusTextSerializer {
  /** Data-point attributes -> `k="v",` (with the trailing comma) or ''. */
  private readonly pointLabels = new WeakMap<Attributes, string>();
  /** Resource attributes -> `{k="v"}` or ''. */
  private readonly resourceLabels = new WeakMap<Attributes, string>();
  private readonly scopeLabels = new WeakMap<InstrumentationScope, string>();
  /** Histogram boundaries -> `,le="0.5"} ` per bucket index, `+Inf` last. */
  private readonly bucketLabels = new WeakMap<number[], string[]>();
  /** OTel instrument name -> Prometheus name without the `_total` suffix; null when invalid. */
  private readonly baseNames = new Map<string, string | null>();
  private readonly headers = new Map<string, CachedHeader>();
  private previousConflicts = new Set<string>();
  private readonly labelMask: TextMasker | null;

  /** `labelMask` masks secrets in label values (data points and target_info); applied once per cached label set. */
  constructor(labelMask: TextMasker | null = null) {
    this.labelMask = labelMask;
  }

  /** Returns the exposition text for one collection. */
  serialize(resourceMetrics: ResourceMetrics): string {
    let targetInfo = '';
    let samples = '';
    for (const [name, family] of this.families(resourceMetrics)) {
      if (family.metadata === undefined) continue;
      let writeHeader = true;
      if (name === TARGET_INFO) {
        targetInfo = `${this.header(name, family.metadata)}${TARGET_INFO}${this.resourceLabelText(resourceMetrics.resource.attributes)} 1\n`;
        writeHeader = false;
      }
      for (const { metric, scope } of family.members) {
        if (writeHeader) {
          samples += this.header(name, family.metadata);
          writeHeader = false;
        }
        samples += this.samples(name, metric, scope);
      }
    }
    return targetInfo + (samples === '' ? NO_REGISTERED_METRICS : samples);
  }

  /**
   * Groups metrics by Prometheus name in first-seen order, target_info first. A name whose
   * metrics disagree on the type is dropped; disagreeing HELP or UNIT keeps the first.
   */
  private families(resourceMetrics: ResourceMetrics): Map<string, Family> {
    const families = new Map<string, Family>([[TARGET_INFO, { metadata: { help: 'Target metadata', unit: '', type: 'gauge' }, members: [] }]]);
    const conflicts = new Set<string>();
    for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
      for (const metric of metrics) {
        const name = this.metricName(metric);
        if (name === null) continue;
        const type = prometheusType(metric);
        const family = families.get(name);
        if (family === undefined) {
          families.set(name, { metadata: { help: metric.descriptor.description, unit: metric.descriptor.unit, type }, members: [{ metric, scope }] });
        } else if (family.metadata !== undefined) {
          if (family.metadata.type === type) {
            family.members.push({ metric, scope });
          } else {
            this.warnConflict(conflicts, 'TYPE', name, family.metadata.type, type, undefined);
            family.metadata = undefined;
            family.members = [];
          }
        }
      }
    }
    for (const [name, { metadata, members }] of families) {
      if (metadata === undefined) continue;
      for (const { metric } of members) {
        const { description: help, unit } = metric.descriptor;
        if (help) {
          if (!metadata.help) metadata.help = help;
          else if (metadata.help !== help) this.warnConflict(conflicts, 'HELP', name, metadata.help, help, metadata.help);
        }
        if (unit) {
          if (!metadata.unit) metadata.unit = unit;
          else if (metadata.unit !== unit) this.warnConflict(conflicts, 'UNIT', name, metadata.unit, unit, metadata.unit);
        }
      }
    }
    this.previousConflicts = conflicts;
    return families;
  }

  /** Warns once per conflict while it persists, like the exporter. */
  private warnConflict(current: Set<string>, kind: string, name: string, first: string, second: string, selected: string | undefined): void {
    const key = `${kind}:${name}:${selected ?? ''}`;
    if (current.has(key)) return;
    current.add(key);
    if (this.previousConflicts.has(key)) return;
    const values = `${JSON.stringify(first)}, ${JSON.stringify(second)}`;
    if (selected === undefined) diag.warn(`Conflicting ${kind} comments for metric "${name}": ${values}; dropping the metric.`);
    else diag.warn(`Conflicting ${kind} comments for metric "${name}": ${values}; exporting ${JSON.stringify(selected)}.`);
  }

  /** Returns the Prometheus metric name, or null (logged on every scrape) when none is valid. */
  private metricName(metric: MetricData): string | null {
    const otelName = metric.descriptor.name;
    let base = this.baseNames.get(otelName);
    if (base === undefined) {
      const sanitized = sanitizeName(escapeText(otelName));
      base = sanitized === '' || sanitized === '_' ? null : /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
      this.baseNames.set(otelName, base);
    }
    if (base === null) {
      diag.error(`Normalization for metric "${otelName}" resulted in ${sanitizeName(escapeText(otelName)) === '' ? 'empty name' : 'an invalid name: "_"'}`);
      return null;
    }
    const isCounter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
    return isCounter && !base.endsWith('_total') ? `${base}_total` : base;
  }

  private header(name: string, metadata: FamilyMetadata): string {
    const help = metadata.help || 'description missing';
    const cached = this.headers.get(name);
    if (cached !== undefined && cached.help === help && cached.unit === metadata.unit && cached.type === metadata.type) return cached.text;
    const unitLine = metadata.unit ? `# UNIT ${name} ${escapeText(metadata.unit)}\n` : '';
    const text = `# HELP ${name} ${escapeText(help)}\n${unitLine}# TYPE ${name} ${metadata.type}\n`;
    this.headers.set(name, { help, unit: metadata.unit, type: metadata.type, text });
    return text;
  }

  private samples(name: string, metric: MetricData, scope: InstrumentationScope): string {
    const scopeLabels = this.scopeLabelText(scope);
    switch (metric.dataPointType) {
      case DataPointType.SUM:
      case DataPointType.GAUGE: {
        const open = `${name}{`;
        const close = `${scopeLabels}} `;
        let text = '';
        for (const point of metric.dataPoints) text += open + this.pointLabelText(point.attributes) + close + sampleValue(point.value) + '\n';
        return text;
      }
      case DataPointType.HISTOGRAM: {
        let text = '';
        for (const point of metric.dataPoints) text += this.histogramSamples(name, point, scopeLabels);
        return text;
      }
      default:
        diag.error(`Unrecognizable DataPointType: ${String(metric.dataPointType)} for metric "${name}"`);
        return '';
    }
  }

  /** Writes _count, _sum (absent for histograms that allow negative values) and cumulative buckets. */
  private histogramSamples(name: string, point: DataPoint<Histogram>, scopeLabels: string): string {
    const labels = `{${this.pointLabelText(point.attributes)}${scopeLabels}`;
    const { count, sum, buckets } = point.value;
    let text = `${name}_count${labels}} ${sampleValue(count)}\n`;
    if (sum !== undefined) text += `${name}_sum${labels}} ${sampleValue(sum)}\n`;
    const bucketOpen = `${name}_bucket${labels}`;
    const les = this.bucketLabelTexts(buckets.boundaries);
    let cumulative = 0;
    let infinityBoundarySeen = false;
    for (let i = 0; i < buckets.counts.length; i++) {
      const bound = buckets.boundaries[i];
      // Boundaries that end in Infinity already carry the +Inf bucket; the overflow count after it is not written.
      if (bound === undefined && infinityBoundarySeen) break;
      if (bound === Infinity) infinityBoundarySeen = true;
      cumulative += buckets.counts[i]!;
      text += bucketOpen + (les[i] ?? ',le="+Inf"} ') + sampleValue(cumulative) + '\n';
    }
    return text;
  }

  private pointLabelText(attributes: Attributes): string {
    let text = this.pointLabels.get(attributes);
    if (text === undefined) {
      text = labelText(attributes, this.labelMask);
      if (text !== '') text += ',';
      this.pointLabels.set(attributes, text);
    }
    return text;
  }

  private resourceLabelText(attributes: Attributes): string {
    let text = this.resourceLabels.get(attributes);
    if (text === undefined) {
      const labels = labelText(attributes, this.labelMask);
      text = labels === '' ? '' : `{${labels}}`;
      this.resourceLabels.set(attributes, text);
    }
    return text;
  }

  private scopeLabelText(scope: InstrumentationScope): string {
    let text = this.scopeLabels.get(scope);
    if (text === undefined) {
      text = `otel_scope_name="${escapeLabelValue(scope.name)}"`;
      if (scope.schemaUrl) text += `,otel_scope_schema_url="${escapeLabelValue(scope.schemaUrl)}"`;
      if (scope.version) text += `,otel_scope_version="${escapeLabelValue(scope.version)}"`;
      this.scopeLabels.set(scope, text);
    }
    return text;
  }

  private bucketLabelTexts(boundaries: number[]): string[] {
    let texts = this.bucketLabels.get(boundaries);
    if (texts === undefined) {
      texts = boundaries.map((bound) => `,le="${bound === Infinity ? '+Inf' : String(bound)}"} `);
      texts.push(',le="+Inf"} ');
      this.bucketLabels.set(boundaries, texts);
    }
    return texts;
  }
}

const serializers = new WeakMap<MetricReader, PrometheusTextSerializer>();

/**
 * Returns the /metrics body for a reader (the app's PrometheusExporter): collects, logs any
 * partial collection errors through diag, and serializes with a serializer kept per reader
 * (label values masked by `labelMask`, the one given with the reader's first render). A
 * collection that fails outright rejects, so the ops server answers 500 and Prometheus records
 * the target as down instead of a successful scrape with no samples.
 */
export async function renderMetrics(reader: MetricReader, labelMask: TextMasker | null = null): Promise<string> {
  let serializer = serializers.get(reader);
  if (serializer === undefined) {
    serializer = new PrometheusTextSerializer(labelMask);
    serializers.set(reader, serializer);
  }
  const collected = await reader.collect();
  if (collected.errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...collected.errors);
  return serializer.serialize(collected.resourceMetrics);
}
