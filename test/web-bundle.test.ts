import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const assets = join(import.meta.dirname, '..', 'apps', 'web', 'dist', 'assets');

describe('the dashboard bundle (built by npm test before it runs)', () => {
  it('ships under 1 MB of JavaScript gzipped, and its CJK font in the bundle', () => {
    const files = readdirSync(assets);
    const js = files.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    const gzipped = js.reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThan(1_000_000);
    // The subset font's faces come with the CSS (inlined, each a few kB), not from the viewer's fonts.
    const css = files
      .filter((f) => f.endsWith('.css'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('');
    expect(css).toContain('Suanli Han');
    expect(css).toMatch(/font\/woff2|\.woff2/);
  });
});
