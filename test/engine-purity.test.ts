import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENGINE = fileURLToPath(new URL('../packages/engine/src', import.meta.url));
/** The simulator runs on the engine's terms: virtual time and a seeded source only. */
const SIM = fileURLToPath(new URL('../packages/sim/src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.fixture.ts') ? [p] : [];
  });
}

/** Patterns the engine must never contain: it reads no clock, no randomness, does no I/O. */
const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\b/, 'Date (time is passed in as nowS)'],
  [/\bMath\.random\b/, 'Math.random (use the seeded Rng)'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'timers'],
  [/\bperformance\b/, 'performance (a clock)'],
  [/\bprocess\b/, 'process'],
  [/\bfetch\s*\(/, 'fetch'],
  [/from\s+['"]node:/, 'Node built-in modules'],
  [/\brequire\s*\(/, 'require'],
  [/\bimport\s*\(/, 'dynamic import'],
  [/\bcrypto\b/, 'crypto (randomness)'],
];

describe('engine and simulator purity', () => {
  const files = [...sources(ENGINE), ...sources(SIM)];

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(FORBIDDEN)('never uses %s', (pattern, what) => {
    const offenders = files.filter((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && pattern.test(line)),
    );
    expect(offenders, `${what} found in`).toEqual([]);
  });

  it('the engine depends on no package; the simulator only on the engine', () => {
    const sim = JSON.parse(readFileSync(join(SIM, '..', 'package.json'), 'utf8'));
    expect(Object.keys(sim.dependencies ?? {})).toEqual(['@suanli/engine']);
    const pkg = JSON.parse(readFileSync(join(ENGINE, '..', 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});
