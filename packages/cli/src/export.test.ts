import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliWith } from './cli.fixture.ts';
import { validateJobManifest } from './export.ts';

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'suanli-export-'));

beforeAll(async () => {
  // The loop runs once a minute: the tests place jobs themselves, with `schedule()`.
  server = await startServer({
    port: 0,
    dataDir: join(dir, 'data'),
    cycleMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await server.close();
});

const cli = cliWith(() => ({ SUANLI_URL: server.url, SUANLI_TOKEN: server.operatorToken }));

describe('suanli export', () => {
  it('writes a Kueue-ready Job for a placed job, valid against the Kubernetes schema', async () => {
    const job = await server.service.submit({
      text: 'name: llama-ft\nkind: finetune\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ngang: 2\ndurationS: 3600\n',
    });
    await server.service.schedule();
    const r = await cli('export', job.id, '--image', 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime');
    expect(r.code).toBe(0);
    const m = parse(r.stdout);
    expect(m).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { namespace: 'acme-ai', labels: { 'kueue.x-k8s.io/queue-name': 'commercial' } },
      spec: { suspend: true, parallelism: 2, completions: 2 },
    });
    const container = m.spec.template.spec.containers[0];
    expect(container.resources.limits).toEqual({ 'nvidia.com/gpu': '8' });
    expect(m.spec.template.spec.nodeSelector).toEqual({ 'suanli.io/accelerator': 'H800' });
    const out = await cli('export', job.id, '--out', join(dir, 'manifests'));
    expect(out.stdout).toMatch(/^wrote .*suanli-.*\.yaml/);
    expect(parse(readFileSync(out.stdout.trim().replace('wrote ', ''), 'utf8')).kind).toBe('Job');
  });

  it('refuses a job that is not placed, and a manifest the schema rejects', async () => {
    const pending = await server.service.submit({
      text: 'name: later\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ndurationS: 3600\n',
    });
    const r = await cli('export', pending.id);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not placed yet \(pending\): nothing to export \[INVALID_FIELD\]/);
    expect(() =>
      validateJobManifest(
        { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ name: 7 }] } } } },
        'x',
      ),
    ).toThrow(/not a valid Kubernetes Job: .*containers\/0\/name must be string/);
  });
});
