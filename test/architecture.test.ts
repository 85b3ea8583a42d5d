import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Who may import whom: docs/adr/0001-workspaces-and-package-cut.md. */
const ALLOWED: Record<string, readonly string[]> = {
  'packages/engine': [],
  'packages/sim': ['engine'],
  'packages/service': ['engine', 'sim'],
  'packages/store': ['engine', 'service'],
  'packages/backends': ['engine', 'service'],
  'packages/solver': ['engine'],
  'packages/server': ['engine', 'service', 'store', 'backends', 'solver'],
  'packages/cli': ['engine', 'service', 'server', 'sim', 'solver', 'store'],
  'packages/bench': ['engine', 'solver', 'sim', 'service', 'store', 'backends'],
  'apps/web': [],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.(ts|tsx)$/.test(e.name) && !/\.(test|fixture|contract)\.ts$/.test(e.name) ? [p] : [];
  });
}

function suanliImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from\s+['"]@suanli\/([a-z-]+)['"]|import\(\s*['"]@suanli\/([a-z-]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

describe('architecture', () => {
  it.each(Object.entries(ALLOWED))('%s imports only what the ADR allows, and declares it', (dir, allowed) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    const declared = Object.keys({ ...pkg.dependencies }).filter((d) => d.startsWith('@suanli/'));
    const used = new Set(sources(join(ROOT, dir, 'src')).flatMap(suanliImports));
    for (const u of used) {
      expect(allowed, `${dir} imports @suanli/${u}`).toContain(u);
      expect(declared, `${dir} uses @suanli/${u} without declaring it`).toContain(`@suanli/${u}`);
    }
  });

  it('has no barrel files besides each package index', () => {
    const barrels = Object.keys(ALLOWED).flatMap((dir) =>
      sources(join(ROOT, dir, 'src')).filter(
        (f) => f.endsWith('index.ts') && !f.endsWith(join(dir, 'src', 'index.ts')),
      ),
    );
    expect(barrels).toEqual([]);
  });
});
