/** How the process was launched, as far as the runner must care. */

/**
 * Returns true when npm started the process (`npm start`, `npm run ...`): npm does not pass a
 * SIGTERM sent to it on to the runner, so the runner watches for npm going away instead.
 */
export function launchedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  const event = env['npm_lifecycle_event'];
  return typeof event === 'string' && event !== '';
}
