import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ErrorCode, type ErrorLocation, SuanliError } from './errors.ts';

export type FieldPath = readonly (string | number)[];

/** A parsed YAML or JSON document that can tell where a field is written. */
export interface ParsedText {
  readonly value: unknown;
  readonly source?: string;
  locate(path: FieldPath): ErrorLocation;
}

/** Dotted path as users write it: `datasets[0].sites[1]`. */
export function fieldName(path: FieldPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/**
 * Parses YAML (JSON is a subset, so JSON bodies go through here too) and keeps positions, so
 * errors can name the line. Malformed text becomes `MALFORMED_INPUT` with its position.
 */
export function parseText(text: string, source?: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const at = (loc: ErrorLocation): ErrorLocation => (source ? { source, ...loc } : loc);
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const message = (first.message.split('\n')[0] ?? 'malformed input').replace(/ at line \d+, column \d+:?$/, '');
    throw new SuanliError(
      'MALFORMED_INPUT',
      `not valid YAML or JSON: ${message}`,
      at(pos ? { line: pos.line, column: pos.col } : {}),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    value,
    ...(source ? { source } : {}),
    locate(path) {
      const field = fieldName(path);
      // The deepest node that exists: for a missing field, its parent.
      for (let i = path.length; i >= 0; i--) {
        const node = doc.getIn(path.slice(0, i), true);
        let range: readonly number[] | undefined;
        if (isScalar(node) || isMap(node) || (node && typeof node === 'object' && 'range' in node)) {
          range = (node as { range?: readonly number[] }).range ?? undefined;
        }
        // For a map entry, point at its key rather than its value.
        if (i > 0 && i === path.length) {
          const parent = doc.getIn(path.slice(0, i - 1), true);
          if (isMap(parent)) {
            const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[i - 1]);
            if (pair && isScalar(pair.key) && pair.key.range) range = pair.key.range;
          }
        }
        if (range?.[0] !== undefined) {
          const pos = lineCounter.linePos(range[0]);
          return at({ ...(field ? { field } : {}), line: pos.line, column: pos.col });
        }
      }
      return at(field ? { field } : {});
    },
  };
}

/** Input that is not text at all (a JSON body already parsed): no lines to point at. */
export function parsedValue(value: unknown, source?: string): ParsedText {
  return {
    value,
    ...(source ? { source } : {}),
    locate: (path) => {
      const field = fieldName(path);
      return { ...(source ? { source } : {}), ...(field ? { field } : {}) };
    },
  };
}

/** A zod issue in our words: the field it is about and what is wrong with it. */
export function describeIssue(issue: z.core.$ZodIssue): { path: FieldPath; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'invalid_union': {
      // Report the branch that got furthest into the input; if none did, list what was expected.
      let deepest: { path: FieldPath; message: string } | undefined;
      const expected: string[] = [];
      for (const branch of issue.errors) {
        const first = branch[0];
        if (!first) continue;
        const d = describeIssue(first);
        if (first.code === 'invalid_type' && d.path.length === 0) expected.push(article(first.expected));
        if (!deepest || d.path.length > deepest.path.length) deepest = d;
      }
      if (deepest && deepest.path.length > 0) return { path: [...path, ...deepest.path], message: deepest.message };
      return { path, message: `must be ${expected.join(' or ') || 'valid'}` };
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return { path, message: `must be ${op} ${String(bound)}` };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        if ('exact' in issue && issue.exact) return { path, message: `must have exactly ${String(bound)} items` };
        return { path, message: `must have ${op} ${String(bound)} items` };
      }
      if (issue.origin === 'string') return { path, message: `must have ${op} ${String(bound)} characters` };
      return { path, message: issue.message };
    }
    case 'unrecognized_keys':
      return { path: [...path, issue.keys[0] ?? '?'], message: 'unknown field' };
    case 'invalid_value':
      return {
        path,
        message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}`,
      };
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message)) return { path, message: 'is required' };
      const m = /expected (\w+), received (\w+)$/.exec(issue.message);
      if (m?.[2] === 'NaN') return { path, message: `must be ${article(m[1] ?? '')}` };
      return { path, message: m ? `must be ${article(m[1] ?? '')}, not ${m[2]}` : issue.message };
    }
    default:
      return { path, message: issue.message };
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    number: 'a number',
    string: 'a string',
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
    boolean: 'true or false',
    int: 'a whole number',
  };
  return names[type] ?? type;
}

/** Validates against a schema; the first problem becomes one error naming field and line. */
export function validate<T>(schema: z.ZodType<T>, parsed: ParsedText, code: ErrorCode = 'INVALID_FIELD'): T {
  const result = schema.safeParse(parsed.value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // An unknown field is reported before a missing one: it is most often the missing one, misspelt.
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  const issue = unknown ?? issues[0];
  if (!issue) throw new SuanliError(code, 'invalid input', parsed.locate([]));
  let { path, message } = describeIssue(issue);
  if (unknown) {
    const parent = fieldName(path.slice(0, -1));
    const missing = issues
      .filter((i) => i.code === 'invalid_type' && /received undefined$/.test(i.message))
      .map((i) => i.path.filter((p): p is string | number => typeof p !== 'symbol'))
      .filter((p) => fieldName(p.slice(0, -1)) === parent)
      .map((p) => p[p.length - 1]);
    if (missing.length > 0) message = `unknown field (did you mean ${missing.join(' or ')}?)`;
  }
  throw new SuanliError(code, message, parsed.locate(path));
}

/** An error at a field of a parsed document. */
export function fieldError(parsed: ParsedText, code: ErrorCode, path: FieldPath, message: string): SuanliError {
  return new SuanliError(code, message, parsed.locate(path));
}

/** Reads a file whole; a file that cannot be read is one error of `code`: "cannot read the <what>: no such file". */
export function readInputFile(path: string, code: ErrorCode, what: string): string;
export function readInputFile(path: string, code: ErrorCode, what: string, binary: true): Buffer;
export function readInputFile(path: string, code: ErrorCode, what: string, binary = false): string | Buffer {
  try {
    return binary ? readFileSync(path) : readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SuanliError(code, `cannot read the ${what}: ${why}`, { source: path });
  }
}
