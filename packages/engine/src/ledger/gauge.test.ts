import { describe, expect, it } from 'vitest';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../framework/registry.ts';
import { idlePowerKw, itPowerKw } from '../models/energy.ts';
import { H100, job, T0, testNetwork } from '../network.fixture.ts';
import { allocationOf } from './allocation.ts';
import { Ledger } from './ledger.ts';

const placement = (poolId: string, count: number) => ({
  siteId: poolId.split('-')[0] as string,
  poolId,
  accelerator: 'H100',
  count,
  estimate: {} as never,
});

describe('gauge', () => {
  it('measures power, cost, carbon and green power from what the ledger holds; a shifted job draws nothing yet', () => {
    const network = testNetwork();
    const ledger = new Ledger(network, buildProfile(DEFAULT_PROFILE_SPEC), { cycleS: 60 });
    const idle = ledger.gauge(T0);
    const idleWestKw = idlePowerKw(H100, 64) * 1.2;
    expect(idle.sites[0]?.powerKw).toBeCloseTo(idleWestKw, 9);
    expect(idle.busy).toBe(0);
    expect(idle.accelerators).toBe(64 + 32 + 32);

    const train = job('train-1');
    ledger.hold(allocationOf(train, placement('west-h100', 16), T0 - 60, T0 + 3600));
    ledger.hold(allocationOf(job('later'), placement('west-h100', 8), T0 + 3600, T0 + 7200));
    ledger.enqueue(job('waiting'), T0);
    const g = ledger.gauge(T0);
    const addedKw = (itPowerKw(H100, 'train', 16) - idlePowerKw(H100, 16)) * 1.2;
    const west = g.sites[0];
    expect(west?.busy).toBe(16);
    expect(west?.running).toBe(1);
    expect(west?.powerKw).toBeCloseTo(idleWestKw + addedKw, 9);
    // 16 accelerator-hours at 10 CNY, and the power at 0.4 CNY/kWh; in fen.
    expect(west?.costFenPerHour).toBeCloseTo(16 * 10 * 100 + (idleWestKw + addedKw) * 0.4 * 100, 6);
    expect(west?.carbonKgPerHour).toBeCloseTo((idleWestKw + addedKw) * 0.68, 9);
    expect(west?.powerCapKw).toBe(10_000);
    expect(g.queued).toBe(1);
    expect(g.running).toBe(1);
    expect(g.powerKw).toBeCloseTo(
      g.sites.reduce((k, s) => k + s.powerKw, 0),
      9,
    );
    expect(g.greenKw).toBe(0);
    // An hour later the shifted job runs and the first is still held.
    expect(ledger.gauge(T0 + 3600).busy).toBe(24);
  });
});
