import { describe, expect, it } from 'vitest';
import { parseTrace, TRACE_HEADER, TraceError } from './trace.ts';

const text = (...rows: string[]) => [TRACE_HEADER, ...rows].join('\n');

describe('trace', () => {
  it('reads rows, leaving unknown fields out', () => {
    const rows = parseTrace(text('a,0,100,8,,u1,vc1,Pass', 'b,5,50.5,0.46,,,,', ''));
    expect(rows).toEqual([
      { id: 'a', submitS: 0, durationS: 100, gpus: 8, user: 'u1', queue: 'vc1', status: 'Pass' },
      { id: 'b', submitS: 5, durationS: 50.5, gpus: 0.46 },
    ]);
  });

  it.each([
    ['job_id,submit,duration\n', 1, undefined, /header must be/],
    [text('a,0,x,1,,,,'), 2, 'duration_s', /must be a number, got "x"/],
    [text('a,0,100,-1,,,,'), 2, 'gpus', /must be in 0\.\.1000000, got -1/],
    [text('a,10,1,1,,,,', 'b,5,1,1,,,,'), 3, 'submit_s', /submit order/],
    [text('a,0,1,1,,,,', 'a,1,1,1,,,,'), 3, 'job_id', /repeated/],
    [text('a,0,1,1,,,'), 2, undefined, /8 fields/],
  ])('names the line and column of a bad trace (%#)', (input, line, field, message) => {
    try {
      parseTrace(input);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).line).toBe(line);
      expect((e as TraceError).field).toBe(field);
      expect((e as TraceError).message).toMatch(message);
    }
  });
});
