import { gunzipSync } from 'node:zlib';
import { parseTrace, TraceError, type TraceRow } from '@suanli/sim';
import { SuanliError } from './errors.ts';
import { readInputFile } from './text-input.ts';

/**
 * Reads a normalized trace file (`.csv` or `.csv.gz`, data/traces/SOURCE.md); every problem is an
 * INVALID_TRACE error naming the file, the line and the column.
 */
export function loadTraceFile(path: string): TraceRow[] {
  const bytes = readInputFile(path, 'INVALID_TRACE', 'trace', true);
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
