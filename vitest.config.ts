import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['suanli:source'] },
  ssr: { resolve: { conditions: ['suanli:source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
