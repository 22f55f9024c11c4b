/**
 * The event log's start-up check. A log that cannot be opened when the runner starts is a
 * configuration error (a typo'd path), not the disk fault the suppress-and-recover policy is for:
 * the runner refuses to start and says why. Paths under the kernel's filesystems are refused
 * before any directory is created (Node's recursive mkdir never returns on some /proc paths).
 */
import { closeSync, mkdirSync, openSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

// /dev stays usable: /dev/full is how a full disk is rehearsed (the disk policy, RELIABILITY.md).
const KERNEL_FILESYSTEMS = ['/proc', '/sys'];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}${sep}`);
}

/** Returns the nearest existing ancestor of `path` (itself when it exists). */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return typeof e.code === 'string' && !message.startsWith(e.code) ? `${e.code}: ${message}` : message;
}

/**
 * Opens (creating it and its directories when needed) the event log at `path` for appending and
 * closes it again; returns why it cannot be, or null when it can.
 */
export function eventLogProblem(path: string): string | null {
  const absolute = resolve(path);
  const existing = nearestExisting(absolute);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch (error) {
    return reasonOf(error);
  }
  const kernel = KERNEL_FILESYSTEMS.find((root) => under(absolute, root) || under(real, root));
  if (kernel !== undefined) return `${absolute} is under ${kernel}, a kernel filesystem, not a place for a log`;
  if (existing !== absolute && !statSync(existing).isDirectory()) return `${existing} is not a directory`;
  if (existing === absolute && statSync(absolute).isDirectory()) return `${absolute} is a directory`;
  try {
    mkdirSync(dirname(absolute), { recursive: true });
    closeSync(openSync(absolute, 'a'));
  } catch (error) {
    return reasonOf(error);
  }
  return null;
}
