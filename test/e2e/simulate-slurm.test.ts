import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '@suanli/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockSlurm } from '../../packages/backends/src/slurm/slurm-lock.fixture.ts';
import { runOnSlurm } from '../../packages/cli/src/simulate-slurm.ts';
import { CLI, type CliResult, suanliProcess } from './processes.ts';

const url = process.env['SLURMRESTD_URL'];
const api = `${url}/slurm/${process.env['SLURMRESTD_API_VERSION'] || 'v0.0.38'}`;

const dir = mkdtempSync(join(tmpdir(), 'suanli-sim-slurm-'));
const SCENARIO = `name: three
network: cn-national
workload:
  synthetic: { jobs: 300, arrivalsPerHour: 150, seed: 13 }
policies: [default, fifo-nearest]
whatIf:
  - name: cheap-west
    changes:
      - tariff: { site: qingyang, factor: 0.5 }
`;
const scenario = join(dir, 'three.yaml');
writeFileSync(scenario, SCENARIO);

const suanli = (...args: string[]): Promise<CliResult> => suanliProcess(args);

/** Waits for the process to end; its stderr and exit code. */
function ended(child: ChildProcess, stderr: () => string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? 1, stderr: stderr() })));
}

describe.skipIf(!url)(
  'suanli simulate --slurm on a real Slurm (needs SLURMRESTD_URL: ../shared/scripts/slurm-up.sh)',
  () => {
    // One file at a time on the real Slurm: another file downing a node would fail this one's jobs.
    let release: (() => void) | undefined;
    beforeAll(async () => {
      release = await lockSlurm();
    }, 300_000);
    afterAll(() => release?.());
    it('runs each run as a task of one job array and writes the report a local run writes', async () => {
      const local = await suanli('simulate', scenario, '--jobs', '1', '--out', join(dir, 'local'));
      expect(local.code, local.stderr).toBe(0);
      const out = join(dir, 'slurm');
      const r = await suanli('simulate', scenario, '--slurm', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/submitted Slurm job array \d+: 3 tasks, one per run/);
      expect(r.stderr).toMatch(/simulated 3 runs in [\d.]+ s as a Slurm job array/);
      expect(r.stderr).toContain('run 3/3 default · cheap-west: 300 jobs');
      expect(r.stdout).toBe(local.stdout);
      for (const file of ['report.json', 'report.html']) {
        expect(readFileSync(join(out, file)).equals(readFileSync(join(dir, 'local', file))), file).toBe(true);
      }
      // The tasks' folder goes once its results are in the report.
      expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
    }, 180_000);

    it('fails naming the task and its Slurm state when a task does not complete', async () => {
      const busy = join(dir, 'busy.yaml');
      writeFileSync(busy, SCENARIO.replace('jobs: 300, arrivalsPerHour: 150', 'jobs: 3000, arrivalsPerHour: 1500'));
      const child = spawn(process.execPath, [CLI, 'simulate', busy, '--slurm', '--out', join(dir, 'cancelled')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const done = ended(child, () => stderr);
      // Cancel the array (as an operator would with scancel) once it is submitted.
      const deadline = Date.now() + 30_000;
      let id: string | undefined;
      while (!id && Date.now() < deadline) {
        id = /submitted Slurm job array (\d+)/.exec(stderr)?.[1];
        if (!id) await new Promise((r) => setTimeout(r, 20));
      }
      expect(id, stderr).toBeDefined();
      const cancel = await fetch(`${api}/job/${id}`, {
        method: 'DELETE',
        headers: {
          'x-slurm-user-name': process.env['SLURMRESTD_USER_NAME'] ?? 'root',
          'x-slurm-user-token': process.env['SLURMRESTD_TOKEN'] ?? '',
        },
      });
      expect(cancel.status).toBe(200);
      const r = await done;
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines[lines.length - 1]).toMatch(
        new RegExp(`^suanli: Slurm task \\d of job array ${id} \\(run \\d/3 [^)]+\\) CANCELLED.*\\[INTERNAL\\]$`),
      );
    }, 120_000);

    it('fails with Slurm’s own reason, in one line, when Slurm refuses the array', async () => {
      const r = await suanliProcess(['simulate', scenario, '--slurm', '--out', join(dir, 'refused')], {
        env: { ...process.env, SUANLI_SLURM_PARTITION: 'no-such-partition' },
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        'suanli: slurm answered 500 to POST /job/submit: Invalid partition name specified [INTERNAL]',
      ]);
    });

    it('gives up when the array outlasts its timeout, and cancels it', async () => {
      const slow = join(dir, 'slow.yaml');
      writeFileSync(slow, SCENARIO.replace('jobs: 300, arrivalsPerHour: 150', 'jobs: 3000, arrivalsPerHour: 1500'));
      const lines: string[] = [];
      const progress = { run: () => {}, runEnded: () => {}, status: () => {}, line: (t: string) => void lines.push(t) };
      const plan = loadScenarioFile(slow);
      const sweep = runOnSlurm(
        { file: slow, plan, sharedDir: join(dir, 'slow'), timeoutS: 1, pollMs: 200, env: process.env },
        {},
        progress,
      );
      await expect(sweep).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(
          /^Slurm job array \d+ did not finish within --slurm-timeout 1 s: tasks 0, 1, 2 still unfinished \(cancelled\)$/,
        ),
      });
      const id = /submitted Slurm job array (\d+)/.exec(lines.join('\n'))?.[1];
      const states = async () => {
        const body = (await (await fetch(`${api}/job/${id}`)).json()) as { jobs: { job_state: string }[] };
        return [...new Set(body.jobs.map((j) => j.job_state))];
      };
      await expect.poll(states, { timeout: 10_000 }).toEqual(['CANCELLED']);
    }, 60_000);
  },
);
