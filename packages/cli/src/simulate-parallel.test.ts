import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '@suanli/service';
import type { RunResult } from '@suanli/sim';
import { describe, expect, it } from 'vitest';
import { cliWith } from './cli.fixture.ts';
import { runInWorkers, workersAvailable } from './simulate-pool.ts';
import { readRunFile, runFilePath, writeRunFile } from './simulate-run-file.ts';
import { taskIndices } from './simulate-slurm-rest.ts';

// Worker threads need the built CLI (test/e2e/simulate-parallel.test.ts runs it); from the sources,
// as here, `--jobs N` runs the runs in one thread, and everything around the workers is tested.

const dir = mkdtempSync(join(tmpdir(), 'suanli-sim-parallel-'));
const scenario = join(dir, 'three.yaml');
writeFileSync(
  scenario,
  `name: three
network: cn-national
workload:
  synthetic: { jobs: 120, arrivalsPerHour: 100, seed: 5 }
policies: [default, fifo-nearest]
whatIf:
  - name: cheap-west
    changes:
      - tariff: { site: qingyang, factor: 0.5 }
`,
);
const { SLURMRESTD_URL: _url, ...envWithoutSlurm } = process.env;
const cli = cliWith(() => envWithoutSlurm);

describe('suanli simulate --jobs, from the sources', () => {
  it('runs in one thread whatever --jobs says, with the same report', async () => {
    expect(workersAvailable()).toBe(false);
    const one = await cli('simulate', scenario, '--jobs', '1', '--out', join(dir, 'one'));
    const three = await cli('simulate', scenario, '--jobs', '3', '--out', join(dir, 'three'));
    expect([one.code, three.code]).toEqual([0, 0]);
    expect(three.stderr).toMatch(/simulated 3 runs in [\d.]+ s in one thread/);
    expect(three.stderr).toMatch(/run 3\/3 .* kgCO2 \([\d.]+ s\)/);
    expect(readFileSync(join(dir, 'three', 'report.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'one', 'report.json'), 'utf8'),
    );
  }, 120_000);

  it('refuses bad options with one line and exit code 2 before running anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--jobs', '0'], /--jobs must be a whole number from 1 to 256 \[INVALID_FIELD\]/],
      [['--slurm'], /--slurm needs SLURMRESTD_URL.*\[INVALID_FIELD\]/],
      [['--slurm', '--jobs', '2'], /--jobs applies to local runs.*\[INVALID_FIELD\]/],
      [['--slurm-timeout', '1h'], /--slurm-dir and --slurm-timeout apply with --slurm only \[INVALID_FIELD\]/],
      [['--run-index', '0'], /--run-index runs one run for a Slurm task: give --out only \[INVALID_FIELD\]/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('simulate', scenario, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--run-index runs one run and writes the result the report holds for it', async () => {
    const runs = join(dir, 'runs');
    const r = await cli('simulate', scenario, '--run-index', '2', '--out', runs);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('run 3/3 default · cheap-west: 120 jobs');
    const plan = loadScenarioFile(scenario);
    const report = JSON.parse(readFileSync(join(dir, 'one', 'report.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(readRunFile(runs, plan, 2)))).toEqual(report.runs[2]);
    const beyond = await cli('simulate', scenario, '--run-index', '3', '--out', runs);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toMatch(/--run-index: the scenario has runs 0 to 2, not 3 \[INVALID_FIELD\]/);
  }, 60_000);
});

describe('worker threads that fail', () => {
  const plan = loadScenarioFile(scenario);
  const worker = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);

  it('fail the command with the error a worker throws', async () => {
    await expect(runInWorkers(scenario, plan, 2, {}, worker('throw new Error("boom")'))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'internal error: boom',
    });
  });

  it('fail the command naming the run of a worker that stops', async () => {
    const quits = worker(
      'import { parentPort } from "node:worker_threads"; parentPort.on("message", () => process.exit(3));',
    );
    await expect(runInWorkers(scenario, plan, 1, {}, quits)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'a simulation worker stopped with exit code 3 during run 1/3 default',
    });
  });

  it('keep the catalog code of a run that fails in a worker', async () => {
    const fails = worker(
      'import { parentPort } from "node:worker_threads"; parentPort.on("message", (m) => parentPort.postMessage({ type: "failed", index: m.index, error: { code: "INVALID_TRACE", message: "bad row", location: { source: "t.csv", line: 7 } } }));',
    );
    await expect(runInWorkers(scenario, plan, 3, {}, fails)).rejects.toMatchObject({
      code: 'INVALID_TRACE',
      message: 'bad row',
      location: { source: 't.csv', line: 7 },
    });
  });
});

describe('a run result file', () => {
  const plan = loadScenarioFile(scenario);
  const result = (policy: string, variant: string) =>
    ({
      policy,
      variant,
      profile: policy,
      estimates: 'history',
      network: 'cn-national',
      summary: { slowdown: { max: Number.POSITIVE_INFINITY }, jainIndex: Number.NaN, costCny: -0, utilization: 0.5 },
    }) as unknown as RunResult;

  it('gives back the numbers JSON cannot hold', () => {
    const runs = mkdtempSync(join(dir, 'file-'));
    writeRunFile(runs, plan, 1, result('fifo-nearest', 'baseline'));
    const back = readRunFile(runs, plan, 1).summary as unknown as Record<string, unknown>;
    expect(back['slowdown']).toEqual({ max: Number.POSITIVE_INFINITY });
    expect(back['jainIndex']).toBeNaN();
    expect(Object.is(back['costCny'], -0)).toBe(true);
    expect(back['utilization']).toBe(0.5);
  });

  it('is refused when it is not that run of the scenario', () => {
    const runs = mkdtempSync(join(dir, 'file-'));
    writeRunFile(runs, plan, 0, result('fifo-nearest', 'baseline'));
    expect(() => readRunFile(runs, plan, 0)).toThrow(/is not run 0 of scenario three/);
    writeFileSync(runFilePath(runs, 1), '{"format":');
    expect(() => readRunFile(runs, plan, 1)).toThrow(/cannot read run 1's result/);
  });
});

describe('Slurm array task strings', () => {
  it('name every index', () => {
    expect(taskIndices('0-3')).toEqual([0, 1, 2, 3]);
    expect(taskIndices('1-3%1')).toEqual([1, 2, 3]);
    expect(taskIndices('0,4-6')).toEqual([0, 4, 5, 6]);
    expect(taskIndices('1-7:3')).toEqual([1, 4, 7]);
    expect(taskIndices('')).toEqual([]);
  });
});
