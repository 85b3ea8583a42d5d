import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, SuanliError } from '@suanli/service';
import { describe, expect, it } from 'vitest';
import { runInWorkers } from '../../packages/cli/src/simulate-pool.ts';
import { runSequentially } from '../../packages/cli/src/simulate-runs.ts';
import { type CliResult, suanliProcess } from './processes.ts';

// Worker threads load the built worker (dist/simulate-worker.js), so these run the built CLI, or
// hand the built worker to the pool: after `npm run build`, as every e2e test.
const WORKER = new URL('../../packages/cli/dist/simulate-worker.js', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'suanli-sim-jobs-'));
const SCENARIO = `name: three
network: cn-national
workload:
  synthetic: { jobs: 400, arrivalsPerHour: 150, seed: 11 }
policies: [default, fifo-nearest]
whatIf:
  - name: cheap-west
    changes:
      - tariff: { site: qingyang, factor: 0.5 }
`;
const scenario = join(dir, 'three.yaml');
writeFileSync(scenario, SCENARIO);

const suanli = (...args: string[]): Promise<CliResult> => suanliProcess(args);

describe('suanli simulate --jobs: runs in worker threads', () => {
  it('writes the same report.json and report.html, byte for byte, with --jobs 1 and --jobs 3', async () => {
    const one = await suanli('simulate', scenario, '--jobs', '1', '--out', join(dir, 'one'));
    const three = await suanli('simulate', scenario, '--jobs', '3', '--out', join(dir, 'three'));
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    expect(one.stderr).toMatch(/simulated 3 runs in [\d.]+ s in one thread/);
    expect(three.stderr).toMatch(/simulated 3 runs in [\d.]+ s on 3 worker threads/);
    // Each run says how long it took, on its thread.
    expect(three.stderr).toMatch(/run 1\/3 default: 400 jobs, .* kgCO2 \([\d.]+ s\)/);
    for (const line of [
      'run 1/3 default: 400 jobs',
      'run 2/3 fifo-nearest: 400 jobs',
      'run 3/3 default · cheap-west',
    ]) {
      expect(three.stderr).toContain(line);
    }
    expect(three.stdout).toBe(one.stdout);
    for (const file of ['report.json', 'report.html']) {
      expect(readFileSync(join(dir, 'three', file)).equals(readFileSync(join(dir, 'one', file))), file).toBe(true);
    }
  }, 180_000);

  it('sends each run’s progress and result back, the results in the plan’s order', async () => {
    // Enough jobs for progress (every 2,000 events of a run).
    const busy = join(dir, 'busy.yaml');
    writeFileSync(busy, SCENARIO.replace('jobs: 400, arrivalsPerHour: 150', 'jobs: 1500, arrivalsPerHour: 300'));
    const plan = loadScenarioFile(busy);
    const seen = new Set<number>();
    const ended: number[] = [];
    const results = await runInWorkers(
      busy,
      plan,
      2,
      { onProgress: (i) => void seen.add(i), onRunEnd: (i) => void ended.push(i) },
      WORKER,
    );
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(ended.sort()).toEqual([0, 1, 2]);
    expect(results).toEqual(await runSequentially(plan, {}));
  }, 180_000);

  it('fails with a worker’s catalog error, its code and location kept', async () => {
    // The workers read another file than the plan came from: the error they meet is the file's own.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, SCENARIO.replace('site: qingyang', 'site: atlantis'));
    const expected = (() => {
      try {
        loadScenarioFile(bad);
      } catch (e) {
        return e as SuanliError;
      }
      throw new Error('bad.yaml loaded');
    })();
    expect(expected).toBeInstanceOf(SuanliError);
    const failed = runInWorkers(bad, loadScenarioFile(scenario), 2, {}, WORKER);
    await expect(failed).rejects.toMatchObject({
      code: 'INVALID_SCENARIO',
      message: expected.message,
      location: { ...expected.location },
    });
  }, 60_000);
});
