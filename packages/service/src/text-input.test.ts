import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits.ts';
import { nestingBeyond, parseText } from './text-input.ts';

describe('parseText bounds', () => {
  it('refuses a megabyte of nesting at once, before the YAML parser sees it', () => {
    for (const text of [
      '['.repeat(1_000_000),
      '{"a":'.repeat(100_000),
      Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    ]) {
      expect(() => parseText(text, 'deep.yaml')).toThrow(/nested more than 64 levels deep/);
    }
    expect(nestingBeyond('- - - - - - - - x', LIMITS.yamlDepth)).toBeUndefined();
    expect(nestingBeyond(`${'- '.repeat(200)}x`, LIMITS.yamlDepth)).toMatchObject({ line: 1 });
  });

  it('does not count brackets in quotes and comments, nor a document of ordinary depth', () => {
    const text = `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\nc: [1, [2, [3]]]\n`;
    expect(nestingBeyond(text, LIMITS.yamlDepth)).toBeUndefined();
    expect(parseText(text).value).toMatchObject({ c: [1, [2, [3]]] });
    const nested = Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(() => parseText(`${nested} 1`)).not.toThrow();
  });
});
