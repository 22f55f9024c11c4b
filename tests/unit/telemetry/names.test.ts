import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../src/telemetry/names.ts';

/** Returns README's metrics table: one row per scraped name, with its type, unit, labels and meaning. */
function readmeMetrics(): Map<string, { type: string; unit: string; labels: string[]; meaning: string }> {
  const text = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  const table = text.slice(text.indexOf('| Scraped name | Type | Unit | Labels | Meaning |'));
  const rows = new Map<string, { type: string; unit: string; labels: string[]; meaning: string }>();
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [name, type, unit, labels, meaning] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    rows.set(String(name).replaceAll('`', ''), {
      type: String(type),
      unit: String(unit),
      labels: labels === '—' ? [] : String(labels).replaceAll('`', '').split(', '),
      meaning: String(meaning),
    });
  }
  return rows;
}

describe('the metrics registry', () => {
  it("is README's metrics table: every metric with its scraped name, type, unit, labels and meaning", () => {
    const rows = readmeMetrics();
    const expected = Object.values(METRICS).map((def) => {
      const scraped = def.scraped.replace(/[^a-zA-Z0-9_:]/g, '_');
      return {
        name: def.kind === 'histogram' ? `${scraped}_bucket/_sum/_count` : scraped,
        type: def.kind,
        unit: def.unit,
        labels: [...def.labels],
        meaning: def.description,
      };
    });
    expect([...rows.keys()].sort()).toEqual(expected.map((e) => e.name).sort());
    for (const e of expected) {
      const row = rows.get(e.name);
      expect({ name: e.name, type: row?.type, unit: row?.unit, labels: row?.labels }).toEqual({ name: e.name, type: e.type, unit: e.unit, labels: e.labels });
      // README may say more than the registry's description (even inside its closing parenthesis), never something else.
      const stem = e.meaning.replace(/\)?\.$/, '');
      expect({ name: e.name, meaning: row?.meaning.slice(0, stem.length) }).toEqual({ name: e.name, meaning: stem });
    }
  });
});
