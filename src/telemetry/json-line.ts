/**
 * The JSON Lines serializer shared by the event log and the stdout logger: one compact object
 * per line, keys sorted at every depth, secret-named fields masked, non-finite numbers as null,
 * and U+2028/U+2029 escaped so that no line can be split by a reader that treats them as
 * line breaks. Faster than JSON.stringify over a sorted copy: the sorted key order of each
 * record shape is computed once and reused.
 */
import { EventDecimal } from '../core/event-values.ts';
import type { FieldRecord, FieldValue } from '../core/events.ts';
import { isSecretKey, maskValue, type TextMasker } from './masking.ts';

/** Returns the wall-clock "now" as a formatted timestamp string. */
export type TimestampSource = () => string;

// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE_RE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const LINE_SEPARATORS_RE = /[\u2028\u2029]/g;

/** Returns `text` as a JSON string literal (U+2028/2029 escaped too). */
export function jsonString(text: string): string {
  if (!NEEDS_ESCAPE_RE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(LINE_SEPARATORS_RE, (ch) => (ch === '\u2028' ? '\\u2028' : '\\u2029'));
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Returns a value as compact JSON with sorted keys. `secret` masks every string and number
 * leaf (the value sits under a secret-named field); `textMask` masks known secrets in strings.
 */
export function jsonValue(value: FieldValue | undefined, textMask: TextMasker | null, secret = false): string {
  switch (typeof value) {
    case 'string':
      return jsonString(secret ? maskValue(value) : textMask === null ? value : textMask(value));
    case 'number':
      return secret ? jsonString(maskValue(String(value))) : jsonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return jsonString(secret ? maskValue(String(value)) : String(value));
    case 'object':
      if (value === null) return 'null';
      if (value instanceof EventDecimal) return jsonValue(value.toString(), textMask, secret);
      if (Array.isArray(value)) return jsonArray(value, textMask, secret);
      return jsonRecord(value as FieldRecord, textMask, secret);
    default:
      return 'null';
  }
}

function jsonArray(values: readonly FieldValue[], textMask: TextMasker | null, secret: boolean): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += jsonValue(values[i], textMask, secret);
  }
  return `${out}]`;
}

function jsonRecord(record: FieldRecord, textMask: TextMasker | null, secret: boolean): string {
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const value = record[key];
    if (value === undefined) continue;
    out += `${first ? '' : ','}${jsonString(key)}:${jsonValue(value, textMask, secret || isSecretKey(key))}`;
    first = false;
  }
  return `${out}}`;
}

/** One key of a cached line plan: a fixed key (index into the fixed values) or a field. */
interface PlanEntry {
  /** `"key":` with the separating comma when not first. */
  readonly prefix: string;
  readonly field: string | null;
  readonly fixedIndex: number;
  readonly secret: boolean;
}

interface LinePlan {
  /** Field keys in the order the record had them, to detect a change of shape. */
  readonly rawKeys: readonly string[];
  readonly entries: readonly PlanEntry[];
}

/**
 * Serializes flat records plus a few fixed keys (event, ts, ...) as one sorted JSON line. The
 * sorted order is cached per shape name (e.g. the event name) and rebuilt if that shape's
 * keys ever change. A field whose name collides with a fixed key is written as "_<name>".
 */
export class SortedLineSerializer {
  private readonly fixedKeys: readonly string[];
  private readonly textMask: TextMasker | null;
  private readonly plans = new Map<string, LinePlan>();

  constructor(fixedKeys: readonly string[], textMask: TextMasker | null = null) {
    this.fixedKeys = fixedKeys;
    this.textMask = textMask;
  }

  /**
   * Returns the line (with a trailing newline) for the record's fields plus the fixed keys, whose values
   * are passed already JSON-encoded in the order given to the constructor.
   */
  line(shape: string, fixedJson: readonly string[], record: object): string {
    // Domain events' field types are interfaces, which TypeScript does not index; they are FieldRecords at run time.
    const fields = record as FieldRecord;
    const keys = Object.keys(fields);
    let plan = this.plans.get(shape);
    if (plan === undefined || !sameKeys(plan.rawKeys, keys)) {
      plan = this.buildPlan(keys);
      this.plans.set(shape, plan);
    }
    let out = '{';
    for (const entry of plan.entries) {
      if (entry.field === null) {
        out += entry.prefix + (fixedJson[entry.fixedIndex] ?? 'null');
        continue;
      }
      const value = fields[entry.field];
      if (typeof value === 'string' && !entry.secret) {
        const text = this.textMask === null ? value : this.textMask(value);
        out += NEEDS_ESCAPE_RE.test(text) ? entry.prefix + jsonString(text) : `${entry.prefix}"${text}"`;
      } else {
        out += entry.prefix + jsonValue(value, this.textMask, entry.secret);
      }
    }
    return `${out}}\n`;
  }

  private buildPlan(keys: readonly string[]): LinePlan {
    const named: Array<{ name: string; field: string | null; fixedIndex: number }> = this.fixedKeys.map((name, fixedIndex) => ({
      name,
      field: null,
      fixedIndex,
    }));
    for (const key of keys) {
      named.push({ name: this.fixedKeys.includes(key) ? `_${key}` : key, field: key, fixedIndex: -1 });
    }
    named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries = named.map((entry, i) => ({
      prefix: `${i === 0 ? '' : ','}${jsonString(entry.name)}:`,
      field: entry.field,
      fixedIndex: entry.fixedIndex,
      secret: entry.field !== null && isSecretKey(entry.field),
    }));
    return { rawKeys: [...keys], entries };
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
