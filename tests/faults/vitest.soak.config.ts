import { defineConfig } from 'vitest/config';

/** The soak (`npm run test:soak`): minutes long, so it is kept out of `npm test`'s include. */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/faults/**/*.soak.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
