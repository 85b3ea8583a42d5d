import { gunzipSync } from 'node:zlib';
import { parseTrace, TraceError, type TraceRow } from '@suanli/sim';
import { SuanliError } from './errors.ts';
import { LIMITS } from './limits.ts';
import { readInputFile } from './text-input.ts';

/**
 * Reads a normalized trace file (`.csv` or `.csv.gz`, data/traces/SOURCE.md); every problem is an
 * INVALID_TRACE error naming the file, the line and the column.
 */
export function loadTraceFile(path: string): TraceRow[] {
  const bytes = readInputFile(path, 'INVALID_TRACE', 'trace', true, LIMITS.traceBytes);
  let text: string;
  try {
    // Bounded as the file is: a small gzip file cannot expand without limit.
    text = (path.endsWith('.gz') ? gunzipSync(bytes, { maxOutputLength: LIMITS.traceBytes }) : bytes).toString('utf8');
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
        ? `it expands to more than ${LIMITS.traceBytes / 2 ** 20} MB`
        : (e as Error).message;
    throw new SuanliError('INVALID_TRACE', `not a usable gzip file: ${why}`, { source: path });
  }
  return parseTraceText(text, path);
}

/** Reads the text of a normalized trace; every problem is an INVALID_TRACE error naming the line and column. */
export function parseTraceText(text: string, source: string): TraceRow[] {
  try {
    return parseTrace(text);
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    throw new SuanliError('INVALID_TRACE', e.message, {
      source,
      line: e.line,
      ...(e.field !== undefined ? { field: e.field } : {}),
    });
  }
}
