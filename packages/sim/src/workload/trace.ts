/** One row of a normalized trace file (data/traces/SOURCE.md). */
export interface TraceRow {
  readonly id: string;
  readonly submitS: number;
  /** Run time, start to end (no queueing). */
  readonly durationS: number;
  /** GPUs asked for; a fraction of one shared GPU in the Alibaba trace, 0 for CPU-only pods. */
  readonly gpus: number;
  readonly gpuType?: string;
  readonly user?: string;
  readonly queue?: string;
  readonly status?: string;
}

export const TRACE_HEADER = 'job_id,submit_s,duration_s,gpus,gpu_type,user,queue,status';

/** A trace that cannot be read; `line` is 1-based, `field` the column. */
export class TraceError extends Error {
  readonly line: number;
  readonly field: string | undefined;

  constructor(line: number, field: string | undefined, message: string) {
    super(message);
    this.name = 'TraceError';
    this.line = line;
    this.field = field;
  }
}

/**
 * Parses a normalized trace (CSV with the header above, rows in submit order). Every problem is
 * an error naming the line and column: a bad header, a missing or non-numeric figure, a negative
 * duration, rows out of order, a repeated job id.
 */
/** Ten years: the longest a trace may span, and a job in it run. */
export const TRACE_MAX_SPAN_S = 10 * 366 * 86_400;
/** The most accelerators one job of a trace may ask for. */
export const TRACE_MAX_GPUS = 1_000_000;

export function parseTrace(text: string): TraceRow[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim();
  if (header !== TRACE_HEADER) {
    throw new TraceError(1, undefined, `the header must be ${TRACE_HEADER}`);
  }
  const rows: TraceRow[] = [];
  const seen = new Set<string>();
  let lastSubmitS = Number.NEGATIVE_INFINITY;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== 8) throw new TraceError(i + 1, undefined, `expected 8 fields, found ${f.length}`);
    const [id, submit, duration, gpus, gpuType, user, queue, status] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (id === '') throw new TraceError(i + 1, 'job_id', 'must not be empty');
    if (seen.has(id)) throw new TraceError(i + 1, 'job_id', `${id} is repeated`);
    seen.add(id);
    const num = (field: string, v: string, min: number, max: number): number => {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n))
        throw new TraceError(i + 1, field, `must be a number, got "${v.slice(0, 40)}"`);
      if (n < min || n > max) throw new TraceError(i + 1, field, `must be in ${min}..${max}, got ${v.slice(0, 40)}`);
      return n;
    };
    if (id.length > 128 || gpuType.length > 64 || user.length > 128 || queue.length > 128 || status.length > 64) {
      throw new TraceError(i + 1, undefined, 'a text field is too long (ids, users and queues at most 128 characters)');
    }
    const submitS = num('submit_s', submit, 0, TRACE_MAX_SPAN_S);
    if (submitS < lastSubmitS) throw new TraceError(i + 1, 'submit_s', 'rows must be in submit order');
    lastSubmitS = submitS;
    rows.push({
      id,
      submitS,
      durationS: num('duration_s', duration, 0, TRACE_MAX_SPAN_S),
      gpus: num('gpus', gpus, 0, TRACE_MAX_GPUS),
      ...(gpuType ? { gpuType } : {}),
      ...(user ? { user } : {}),
      ...(queue ? { queue } : {}),
      ...(status ? { status } : {}),
    });
  }
  return rows;
}
