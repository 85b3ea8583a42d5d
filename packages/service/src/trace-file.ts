import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseTrace, TraceError, type TraceRow } from '@suanli/sim';
import { SuanliError } from './errors.ts';

/**
 * Reads a normalized trace file (`.csv` or `.csv.gz`, data/traces/SOURCE.md); every problem is an
 * INVALID_TRACE error naming the file, the line and the column.
 */
export function loadTraceFile(path: string): TraceRow[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SuanliError('INVALID_TRACE', `cannot read the trace: ${why}`, { source: path });
  }
  let text: string;
  try {
    text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (e) {
    throw new SuanliError('INVALID_TRACE', `not a gzip file: ${(e as Error).message}`, { source: path });
  }
  try {
    return parseTrace(text);
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    throw new SuanliError('INVALID_TRACE', e.message, {
      source: path,
      line: e.line,
      ...(e.field !== undefined ? { field: e.field } : {}),
    });
  }
}
