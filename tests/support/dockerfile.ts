/**
 * Reads the Dockerfile the way `docker build` does for what the tests need: the environment the
 * image sets (every `ENV` instruction, line continuations joined, `KEY=value` pairs and the legacy
 * `ENV KEY value` form). There is no Docker engine on the build machines, so the tests start the
 * runner as a process with this environment to see what the image would do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './runner-process.ts';

/** Returns the Dockerfile's instructions, continuation lines joined and comments dropped. */
export function dockerfileInstructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((current + line).trim());
    current = '';
  }
  if (current !== '') out.push(current.trim());
  return out;
}

function unquote(value: string): string {
  return /^".*"$/.test(value) || /^'.*'$/.test(value) ? value.slice(1, -1) : value;
}

/** Returns the environment the image's ENV instructions set (later ones win). */
export function imageEnvironment(text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of dockerfileInstructions(text)) {
    const m = /^ENV\s+(.*)$/i.exec(instruction);
    if (m === null) continue;
    const body = m[1] ?? '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      const [key, ...rest] = body.split(/\s+/);
      if (key !== undefined) env[key] = rest.join(' ');
      continue;
    }
    for (const pair of body.match(/[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)/g) ?? []) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = unquote(pair.slice(eq + 1));
    }
  }
  return env;
}
