/**
 * `node bench/profile-summary.ts <file.cpuprofile> [top]`: prints the top frames of a V8 CPU
 * profile (from `node --cpu-prof`) by self time and the top packages, for BENCHMARKS.md.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const counts = new Map<number, number>();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = profile.samples.length;
const byFrame = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = counts.get(node.id) ?? 0;
  if (hits === 0) continue;
  const url = node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  byFrame.set(key, (byFrame.get(key) ?? 0) + hits);
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('src/')
      ? url.split('/').slice(0, 2).join('/')
      : url.startsWith('node:')
        ? 'node:' + url.slice(5).split('/')[0]
        : url === ''
          ? node.callFrame.functionName
          : 'other');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
}
const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
process.stdout.write(`samples: ${total}\n\ntop frames (self):\n`);
for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v).padStart(6)}  ${k}\n`);
process.stdout.write('\nby package:\n');
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) process.stdout.write(`  ${pct(v).padStart(6)}  ${k}\n`);
