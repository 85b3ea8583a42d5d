import { describe, expect, it } from 'vitest';
import { Estimator, FIRST_ESTIMATE_S } from './estimator.ts';
import { simJob } from './network.fixture.ts';

describe('estimator', () => {
  it('tells the truth in oracle mode', () => {
    expect(new Estimator('oracle').estimateS(simJob('a', { durationS: 1234 }))).toBe(1234);
  });

  it('predicts from the same user’s finished jobs, most specific history first, never from the future', () => {
    const e = new Estimator('history');
    const one = (id: string, durationS: number, user: string, gpus = 1) =>
      simJob(id, { durationS, options: [{ accelerator: 'A100', perMember: gpus }] }, user);
    expect(e.estimateS(one('x', 9999, 'ann'))).toBe(FIRST_ESTIMATE_S);
    e.observe(one('a1', 100, 'ann'));
    e.observe(one('a2', 300, 'ann'));
    e.observe(one('a8', 5000, 'ann', 8));
    e.observe(one('b1', 1000, 'bob'));
    // Ann on one GPU: her one-GPU jobs; on eight: her eight-GPU job; on four: all her jobs.
    expect(e.estimateS(one('q', 1, 'ann'))).toBe(200);
    expect(e.estimateS(one('q', 1, 'ann', 8))).toBe(5000);
    expect(e.estimateS(one('q', 1, 'ann', 4))).toBe((100 + 300 + 5000) / 3);
    // A new user: the mean of everything finished.
    expect(e.estimateS(one('q', 1, 'carol'))).toBe((100 + 300 + 5000 + 1000) / 4);
  });
});
