import { describe, expect, it } from 'vitest';
import { backendContract, backendJob } from '../backend.contract.ts';
import { SimBackend } from './sim-backend.ts';

function manualClock(startS = 1_000_000) {
  let now = startS;
  return {
    nowS: () => now,
    advance(s: number) {
      now += s;
    },
  };
}

backendContract(
  'sim',
  async () => {
    const clock = manualClock();
    return { backend: new SimBackend({ clock, speedup: 60 }), advance: async (s) => clock.advance(s) };
  },
  // A 60-minute estimate runs 60 s at 60×.
  3600,
);

describe('sim backend', () => {
  it('moves a job through queued, running and succeeded, speedup times faster than its estimate', async () => {
    const clock = manualClock();
    const sim = new SimBackend({ clock, speedup: 60, startDelayS: 1 });
    const { externalId } = await sim.submit(backendJob('j', { durationS: 600, stageS: 120 }));
    const at = async () => (await sim.poll([externalId]))[0];
    expect(await at()).toEqual({ externalId, state: 'queued' });
    clock.advance(1 + 2); // start delay + 120 s of staging at 60×
    expect(await at()).toMatchObject({ state: 'running', startedAtS: 1_000_003 });
    clock.advance(9.9);
    expect((await at())?.state).toBe('running');
    clock.advance(0.2);
    expect(await at()).toMatchObject({ state: 'succeeded', startedAtS: 1_000_003, endedAtS: 1_000_013, exitCode: 0 });
  });

  it('knows its jobs after a restart, from their external ids alone', async () => {
    const clock = manualClock();
    const { externalId } = await new SimBackend({ clock }).submit(backendJob('j', { durationS: 600 }));
    clock.advance(60);
    expect((await new SimBackend({ clock }).poll([externalId]))[0]?.state).toBe('succeeded');
  });

  it('refuses a speedup that is not positive', () => {
    expect(() => new SimBackend({ clock: manualClock(), speedup: 0 })).toThrow(/speedup/);
  });
});
