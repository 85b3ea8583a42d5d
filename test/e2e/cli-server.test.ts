import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCliProcess, type ServerProcess, startServerProcess } from './processes.ts';

let server: ServerProcess;
beforeAll(async () => {
  // 36,000× makes a one-hour job run in a tenth of a second.
  server = await startServerProcess(['--speedup', '36000']);
});
afterAll(async () => {
  await server?.stop();
});

describe('a real server process driven by the real CLI', () => {
  it('takes a submitted job to Succeeded, with its explanation and an intact audit chain', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suanli-spec-')), 'train.yaml');
    writeFileSync(
      file,
      `name: qwen-sft
kind: finetune
tenant: hospital-ai
resources:
  accelerators: { H800: 8, H100: 8 }
gang: 2
durationS: 3600
datasets:
  - name: medical-imaging-sh
objective: { cost: 1, carbon: 1, time: 1 }
`,
    );
    const submitted = await runCliProcess(server, 'submit', file, '--json');
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = JSON.parse(submitted.stdout).id as string;

    const done = await eventually(async () => {
      const r = await runCliProcess(server, 'job', id, '--json');
      const job = JSON.parse(r.stdout);
      return job.state === 'succeeded' ? job : undefined;
    });
    expect(done.placement.count).toBe(16);
    expect(done.explanation.verdicts).toHaveLength(15);
    const chosen = done.explanation.verdicts[0];
    expect(chosen).toMatchObject({ outcome: 'scored', rank: 1, siteId: done.placement.siteId });
    const filtered = done.explanation.verdicts.filter((v: { outcome: string }) => v.outcome === 'filtered');
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((v: { plugin: string; reason: string }) => v.plugin && v.reason)).toBe(true);

    const human = await runCliProcess(server, 'job', id);
    expect(human.stdout).toContain('state      succeeded');
    expect(human.stdout).toContain('Why: ');
    expect(human.stdout).toContain('Filtered out:');

    const audit = await runCliProcess(server, 'audit', 'verify', '--json');
    expect(audit.code).toBe(0);
    // The first operator token, the log's key (log.key), then the job's five.
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, entries: 7 });
  });

  it('answers a bad spec from the CLI with exit 2 and one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suanli-spec-')), 'bad.yaml');
    writeFileSync(
      file,
      'name: x\nkind: train\ntenant: t\nresources:\n  accelerators: { H100: 8 }\ngang: 4096\ndurationS: 60\n',
    );
    const r = await runCliProcess(server, 'submit', file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${file}:6:`);
    expect(r.stderr).toContain('gang: needs 32768 H100 (4096 × 8)');
    expect(r.stderr).toContain('[GANG_TOO_LARGE]');
  });
});
