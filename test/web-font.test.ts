import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without types
import { usedCharacters } from '../apps/web/scripts/cjk-font.mjs';

const fonts = join(import.meta.dirname, '..', 'apps', 'web', 'src', 'fonts');
const css = readFileSync(join(fonts, 'cjk.css'), 'utf8');

/** The code points each weight's @font-face rules name, and the files they load. */
function faces(): { weight: number; codePoints: Set<number>; files: string[] }[] {
  const byWeight = new Map<number, { weight: number; codePoints: Set<number>; files: string[] }>();
  for (const m of css.matchAll(/font-weight: (\d+);[^}]*src: url\("\.\/([^"]+)"\)[^}]*unicode-range:\s*([^;]+);/g)) {
    const weight = Number(m[1]);
    const face = byWeight.get(weight) ?? { weight, codePoints: new Set<number>(), files: [] };
    face.files.push(m[2] as string);
    for (const r of (m[3] as string).split(',')) face.codePoints.add(Number.parseInt(r.trim().slice(2), 16));
    byWeight.set(weight, face);
  }
  return [...byWeight.values()];
}

describe('the dashboard’s CJK subset font', () => {
  it('covers every Chinese character the page and the built-in networks use, in both weights', () => {
    const used = usedCharacters() as string[];
    expect(used).toContain('算');
    const all = faces();
    expect(all.map((f) => f.weight)).toEqual([400, 700]);
    for (const face of all) {
      const missing = used.filter((c) => !face.codePoints.has(c.codePointAt(0) as number));
      // Missing characters: run apps/web/scripts/cjk-font.mjs (its header says how).
      expect(missing.join(''), `weight ${face.weight}`).toBe('');
      for (const f of face.files) expect(existsSync(join(fonts, f)), f).toBe(true);
    }
  });

  it('ships the font’s licence with it', () => {
    expect(readFileSync(join(fonts, 'OFL.txt'), 'utf8')).toContain('SIL Open Font License');
  });
});
