/**
 * The "before" variant of the benchmarks: the source and benchmarks of the commit before the
 * telemetry moved onto the stock parts (hand-written OTLP/JSON and Prometheus serializers, the
 * preset id generator, the module-global write gate), exported with `git archive` into a
 * temporary directory that shares this checkout's node_modules, so that both are measured side
 * by side in one run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './proc.ts';

/** The last commit with the hand-written telemetry (issue 13 starts after it). */
export const BEFORE_COMMIT = '68beb342837445dffa66f0695dc00cc692830397';

/** Returns the root of the "before" tree (src, bench, tests/fixtures, package.json), extracting it once. */
export function beforeTree(): string {
  const root = join(tmpdir(), `mm-bench-before-${BEFORE_COMMIT.slice(0, 12)}`);
  if (existsSync(join(root, 'package.json'))) return root;
  mkdirSync(root, { recursive: true });
  const archive = execFileSync('git', ['archive', BEFORE_COMMIT, 'src', 'bench', 'tests/fixtures', 'package.json'], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 2 ** 20,
  });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}
