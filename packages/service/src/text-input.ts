import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type Document, isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ErrorCode, type ErrorLocation, SuanliError } from './errors.ts';
import { LIMITS } from './limits.ts';

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

export interface ParseOptions {
  /** `json` reads strict JSON (a body labelled application/json); `yaml` (default) reads YAML 1.2. */
  readonly format?: 'yaml' | 'json';
  /** The most bytes the text may have (default LIMITS.inputBytes). */
  readonly maxBytes?: number;
}

/**
 * Parses YAML (or strict JSON) and keeps positions, so errors can name the line. Bounded: the text's
 * size, the aliases it may use (no alias bombs) and how deep it may nest. Anything malformed or
 * beyond the bounds is one `MALFORMED_INPUT` error with its position; nothing else is thrown.
 */
export function parseText(text: string, source?: string, options: ParseOptions = {}): ParsedText {
  const at = (loc: ErrorLocation): ErrorLocation => (source ? { source, ...loc } : loc);
  const malformed = (message: string, loc: ErrorLocation = {}) => new SuanliError('MALFORMED_INPUT', message, at(loc));
  const maxBytes = options.maxBytes ?? LIMITS.inputBytes;
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new SuanliError('PAYLOAD_TOO_LARGE', `the input is larger than ${formatBytes(maxBytes)}`, at({}));
  }
  // Before the YAML parser sees it: its cost grows with nesting faster than with size.
  const deep = nestingBeyond(text, LIMITS.yamlDepth);
  if (deep) throw malformed(`nested more than ${LIMITS.yamlDepth} levels deep`, deep);
  if (options.format === 'json') checkJson(text, malformed);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? { line: pos.line, column: pos.col } : {};
    if (/call stack/i.test(first.message)) throw malformed(`nested more than ${LIMITS.yamlDepth} levels deep`, where);
    const message = (first.message.split('\n')[0] ?? 'malformed input').replace(/ at line \d+, column \d+:?$/, '');
    throw malformed(`not valid ${options.format === 'json' ? 'JSON' : 'YAML or JSON'}: ${message}`, where);
  }
  checkShape(doc, (message, offset) => malformed(message, offset === undefined ? {} : position(lineCounter, offset)));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.yamlAliases });
  } catch (e) {
    // The yaml library throws for unresolved and excessive aliases; anything it throws is the input's fault.
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    if (/excessive alias/i.test(message)) {
      throw malformed(`its aliases expand too far (more than ${LIMITS.yamlAliases} times): an alias bomb is refused`);
    }
    throw malformed(`not valid YAML: ${message}`);
  }
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
      // Nothing to point at (an empty document): the top of the input.
      return at(field ? { field } : { line: 1, column: 1 });
    },
  };
}

function position(lineCounter: LineCounter, offset: number): ErrorLocation {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MB` : `${n} bytes`;
}

/**
 * A single pass over the text that finds nesting deeper than `maxDepth` without parsing it: flow
 * collections (`[`, `{` outside quotes and comments) count one level each; block collections count
 * one level per deeper indentation in force (and per `- ` or `? ` that opens a line). The estimate
 * may exceed the real depth (a block scalar's own indentation), so the limit here is twice the real
 * one; the exact check on the parsed document follows.
 */
export function nestingBeyond(text: string, maxDepth: number): { line: number; column: number } | undefined {
  const limit = maxDepth * 2;
  /** Indentations of the block collections open at this point. */
  const indents: number[] = [];
  let flow = 0;
  let line = 1;
  let lineStart = 0;
  let quote = '';
  let atLineStart = true;
  let spaces = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      spaces = 0;
      dashes = 0;
      if (quote === "'") quote = '';
      continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (atLineStart) {
      if (c === ' ' && dashes === 0) {
        spaces++;
        continue;
      }
      if ((c === '-' || c === '?') && text[i + 1] === ' ') {
        dashes++;
        i++;
        continue;
      }
      if (c === ' ') continue;
      atLineStart = false;
      if (c === '\r') continue;
      if (c === '#') {
        const end = text.indexOf('\n', i);
        if (end < 0) break;
        i = end - 1;
        continue;
      }
      if (flow === 0) {
        while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= spaces) indents.pop();
        indents.push(spaces);
        if (indents.length + dashes > limit) return { line, column: i - lineStart + 1 };
      }
    }
    if (c === '#' && (i === lineStart || text[i - 1] === ' ')) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' || c === '{') {
      flow++;
      if (flow + indents.length + dashes > limit) return { line, column: i - lineStart + 1 };
    } else if ((c === ']' || c === '}') && flow > 0) {
      flow--;
    }
  }
  return undefined;
}

/** Strict JSON: the position of the first error, as JSON.parse reports it. */
function checkJson(text: string, malformed: (m: string, loc?: ErrorLocation) => SuanliError): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const offset = /position (\d+)/.exec(message)?.[1];
    let loc: ErrorLocation = {};
    if (offset !== undefined) {
      const before = text.slice(0, Number(offset));
      const line = before.split('\n').length;
      loc = { line, column: Number(offset) - before.lastIndexOf('\n') };
    }
    throw malformed(`not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, loc);
  }
}

/**
 * Walks the parsed document without recursion: at most LIMITS.yamlDepth levels of mappings and
 * lists, at most LIMITS.yamlAliases aliases. Checked before the value is built, so a bomb never expands.
 */
function checkShape(doc: Document, fail: (message: string, offset?: number) => SuanliError): void {
  let aliases = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth } = item;
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > LIMITS.yamlAliases) throw fail(`more than ${LIMITS.yamlAliases} aliases`, node.range?.[0]);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth >= LIMITS.yamlDepth) throw fail(`nested more than ${LIMITS.yamlDepth} levels deep`, node.range?.[0]);
    for (const child of node.items) {
      if (isPair(child)) {
        stack.push({ node: child.key, depth: depth + 1 }, { node: child.value, depth: depth + 1 });
      } else stack.push({ node: child, depth: depth + 1 });
    }
  }
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

/**
 * Reads a file whole, refusing one over `maxBytes` before reading it all (`/dev/zero` included); a
 * file that cannot be read is one error of `code`: "cannot read the <what>: no such file".
 */
export function readInputFile(path: string, code: ErrorCode, what: string, binary?: false, maxBytes?: number): string;
export function readInputFile(path: string, code: ErrorCode, what: string, binary: true, maxBytes?: number): Buffer;
export function readInputFile(
  path: string,
  code: ErrorCode,
  what: string,
  binary = false,
  maxBytes: number = LIMITS.fileBytes,
): string | Buffer {
  const bytes = readBounded(
    path,
    maxBytes,
    (why) => new SuanliError(code, `cannot read the ${what}: ${why}`, { source: path }),
  );
  return binary ? bytes : bytes.toString('utf8');
}

/**
 * The bytes of a file (or a device, a pipe: `-` is standard input), at most `maxBytes`: reading stops
 * one byte past the limit, so an endless input costs no more than the limit.
 */
export function readBounded(path: string, maxBytes: number, fail: (why: string) => SuanliError): Buffer {
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (e) {
    throw fail(describeFsError(e));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fail('it is a folder');
    if (stat.isFile() && stat.size > maxBytes) {
      throw new SuanliError('PAYLOAD_TOO_LARGE', `${path} is larger than ${formatBytes(maxBytes)}`, { source: path });
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          // A non-blocking standard input with nothing yet: wait a little rather than spin.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw fail(describeFsError(e));
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) {
        throw new SuanliError(
          'PAYLOAD_TOO_LARGE',
          `${path === '-' ? 'standard input' : path} is larger than ${formatBytes(maxBytes)}`,
          {
            source: path === '-' ? '<stdin>' : path,
          },
        );
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return e instanceof Error ? e.message : String(e);
}
