import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Who may import whom, read from the table of docs/adr/0001-workspaces-and-package-cut.md: the
 * "may import" column lists package names, comma-separated, with notes in brackets.
 */
function allowedFromAdr(): Record<string, readonly string[]> {
  const adr = readFileSync(join(ROOT, 'docs/adr/0001-workspaces-and-package-cut.md'), 'utf8');
  const out: Record<string, readonly string[]> = {};
  for (const line of adr.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const dir = /^`((?:packages|apps)\/[a-z-]+)`/.exec(cells[1] ?? '')?.[1];
    if (!dir) continue;
    const may = (cells[3] ?? '').replace(/\([^)]*\)/g, '').trim();
    out[dir] = may === 'nothing' ? [] : may.split(',').map((p) => p.trim());
  }
  return out;
}

const ALLOWED = allowedFromAdr();

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

/** A package's relative imports (types included) as a graph: file → files it imports. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
      resolve(dirname(file), m[1] ?? ''),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** The first import circle found, as the files on it, or null. */
function importCircle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
    state.set(f, 'open');
    path.push(f);
    for (const t of graph.get(f) ?? []) {
      const circle = visit(t);
      if (circle) return circle;
    }
    path.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    const circle = visit(f);
    if (circle) return circle;
  }
  return null;
}

describe('architecture', () => {
  it('has a row in ADR 0001 for every workspace', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    expect(Object.keys(ALLOWED).sort()).toEqual([...root.workspaces].sort());
  });

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

  it.each(['packages/engine', 'packages/sim'])('%s has no import circle between its modules', (dir) => {
    const src = join(ROOT, dir, 'src');
    const circle = importCircle(importGraph(src));
    expect(circle?.map((f) => relative(src, f)).join(' → ') ?? null).toBeNull();
  });
});
