/** Compares a documented JSON sample with a live answer field by field: paths and JSON types. */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Returns "path: type" for every field of a JSON value (arrays are described by their first element). */
export function shape(value: Json, path = '$', out: Map<string, string> = new Map()): Map<string, string> {
  if (Array.isArray(value)) {
    out.set(path, 'array');
    if (value.length > 0) shape(value[0] as Json, `${path}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    out.set(path, 'object');
    for (const [key, child] of Object.entries(value)) shape(child, `${path}.${key}`, out);
  } else {
    out.set(path, value === null ? 'null' : typeof value);
  }
  return out;
}

/** Returns the documented fields the simulator lacks or types differently (paths under `ignore` are skipped). */
export function drift(documented: Json, simulated: Json, ignore: readonly string[] = []): string[] {
  const doc = shape(documented);
  const sim = shape(simulated);
  const problems: string[] = [];
  for (const [path, type] of doc) {
    if (ignore.some((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`))) continue;
    const simType = sim.get(path);
    if (simType === undefined) problems.push(`${path}: missing (documented ${type})`);
    else if (simType !== type) problems.push(`${path}: ${simType} (documented ${type})`);
  }
  return problems;
}
