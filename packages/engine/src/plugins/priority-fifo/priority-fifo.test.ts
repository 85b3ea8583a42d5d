import { describe, expect, it } from 'vitest';
import { job } from '../../network.fixture.ts';
import { byPriorityThenAge } from './priority-fifo.ts';

describe('priority-fifo', () => {
  it('orders by priority, then submission, then id: a total order', () => {
    const jobs = [
      job('b', { submittedAtS: 1 }),
      job('a', { submittedAtS: 1 }),
      job('c', { submittedAtS: 0 }),
      job('d', { submittedAtS: 9, priority: 5 }),
    ];
    expect([...jobs].sort(byPriorityThenAge).map((j) => j.id)).toEqual(['d', 'c', 'a', 'b']);
  });
});
