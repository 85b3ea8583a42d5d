import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { SYSTEM } from '@suanli/service';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliWith } from './cli.fixture.ts';
import { validateJobManifest } from './job-manifest.ts';

/**
 * The whole Kubernetes schema of a batch/v1 Job, from the Kubernetes 1.33 OpenAPI specification as
 * kubernetes-models 4.5 compiles it (a devDependency: the CLI itself carries only its own check).
 * The first problem, or undefined when the manifest is valid.
 */
function kubernetesSchemaError(manifest: Record<string, unknown>): string | undefined {
  try {
    new Job(manifest as ConstructorParameters<typeof Job>[0]).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** What the CLI's own check says: undefined when it passes. */
function cliCheckError(manifest: Record<string, unknown>): string | undefined {
  try {
    validateJobManifest(manifest, 'the manifest');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

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
    const job = await server.service.submit(
      {
        text: 'name: llama-ft\nkind: finetune\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ngang: 2\ndurationS: 3600\n',
      },
      SYSTEM,
    );
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
    expect(kubernetesSchemaError(m)).toBeUndefined();
    const out = await cli('export', job.id, '--out', join(dir, 'manifests'));
    expect(out.stdout).toMatch(/^wrote .*suanli-.*\.yaml/);
    const written = parse(readFileSync(out.stdout.trim().replace('wrote ', ''), 'utf8'));
    expect(written.kind).toBe('Job');
    expect(kubernetesSchemaError(written)).toBeUndefined();
  });

  it('writes Huawei Ascend jobs with the Ascend device plug-in, in a chosen namespace, valid too', async () => {
    const job = await server.service.submit(
      {
        text: 'name: batch-infer\nkind: batch-infer\ntenant: acme-ai\nresources: { accelerators: { Ascend910B: 8 } }\ngang: 2\ndurationS: 600\n',
      },
      SYSTEM,
    );
    await server.service.schedule();
    const r = await cli('export', job.id, '--namespace', 'Team_A', '--image', 'registry.example/infer:1');
    expect(r.stderr).toBe('');
    const m = parse(r.stdout);
    expect(m.metadata.namespace).toBe('team-a');
    expect(m.spec.template.spec.containers[0].resources.limits).toEqual({ 'huawei.com/Ascend910': '8' });
    expect(kubernetesSchemaError(m)).toBeUndefined();
  });

  it('refuses a job that is not placed', async () => {
    const pending = await server.service.submit(
      {
        text: 'name: later\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ndurationS: 3600\n',
      },
      SYSTEM,
    );
    const r = await cli('export', pending.id);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not placed yet \(pending\): nothing to export \[INVALID_FIELD\]/);
  });
});

describe('the Job manifest check', () => {
  type Path = readonly (string | number)[];
  const POD: Path = ['spec', 'template', 'spec'];
  const MAIN: Path = [...POD, 'containers', 0];
  const REMOVE = Symbol('remove');
  let valid: Record<string, unknown>;
  beforeAll(async () => {
    const job = await server.service.submit(
      {
        text: 'name: check\nkind: finetune\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ngang: 2\ndurationS: 3600\n',
      },
      SYSTEM,
    );
    await server.service.schedule();
    valid = parse((await cli('export', job.id)).stdout);
  });
  /** The valid manifest with one field set to `value` (or removed). */
  const changed = (path: Path, value: unknown): Record<string, unknown> => {
    const m = structuredClone(valid);
    let at = m as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] ?? '';
    if (value === REMOVE) delete at[last];
    else at[last] = value;
    return m;
  };

  it('passes the manifest that the Kubernetes schema passes', () => {
    expect(kubernetesSchemaError(valid)).toBeUndefined();
    expect(cliCheckError(valid)).toBeUndefined();
  });

  // Each of these the Kubernetes schema rejects; the CLI must refuse it too, naming the field.
  it.each<[string, Path, unknown, RegExp]>([
    ['a container name that is not a string', [...MAIN, 'name'], 7, /containers\[0\]\.name: must be a string/],
    ['a container without a name', [...MAIN, 'name'], REMOVE, /containers\[0\]\.name: is required/],
    ['no containers', [...POD, 'containers'], REMOVE, /spec\.containers: is required/],
    ['no pod template', ['spec', 'template'], REMOVE, /spec\.template: is required/],
    ['parallelism as text', ['spec', 'parallelism'], 'two', /spec\.parallelism: must be a number/],
    ['a fractional completion count', ['spec', 'completions'], 1.5, /spec\.completions: must be a whole number/],
    ['an unknown completion mode', ['spec', 'completionMode'], 'Sideways', /completionMode: must be one of/],
    ['an unknown restart policy', [...POD, 'restartPolicy'], 'Sometimes', /restartPolicy: must be one of/],
    ['suspend as text', ['spec', 'suspend'], 'yes', /spec\.suspend: must be true or false/],
    ['a deadline as text', ['spec', 'activeDeadlineSeconds'], '1h', /activeDeadlineSeconds: must be a number/],
    [
      'a device count that is no quantity',
      [...MAIN, 'resources', 'limits', 'nvidia.com/gpu'],
      'eight',
      /limits\.nvidia\.com\/gpu: must be a Kubernetes quantity/,
    ],
    ['a command as one string', [...MAIN, 'command'], 'sh -c run', /command: must be a list/],
    ['an environment variable without a name', [...MAIN, 'env'], [{ value: 'x' }], /env\[0\]\.name: is required/],
    [
      'a label value that is a number',
      ['metadata', 'labels', 'suanli.io/tenant'],
      3,
      /suanli\.io\/tenant: must be a string/,
    ],
    [
      'a node selector value that is a number',
      [...POD, 'nodeSelector'],
      { gpu: 1 },
      /nodeSelector\.gpu: must be a string/,
    ],
    ['another kind', ['kind'], 'Pod', /kind: must be one of Job/],
  ])('refuses %s, as the Kubernetes schema does', (_what, path, value, message) => {
    const m = changed(path, value);
    expect(kubernetesSchemaError(m)).toBeDefined();
    expect(cliCheckError(m)).toMatch(/^the manifest is not a valid Kubernetes Job: /);
    expect(cliCheckError(m)).toMatch(message);
  });

  // These pass the schema but the API server refuses them (its validation rules are not in the
  // OpenAPI document): `kubectl apply` would fail, so the CLI refuses them before writing.
  it.each<[string, Path, unknown, RegExp]>([
    ['a name with capitals', ['metadata', 'name'], 'Suanli_Job', /metadata\.name: must be a DNS-1123 label/],
    ['a negative parallelism', ['spec', 'parallelism'], -1, /spec\.parallelism: must be ≥ 0/],
    ['a Job pod that restarts Always', [...POD, 'restartPolicy'], 'Always', /must be one of Never, OnFailure/],
    [
      'a node selector value with a space',
      [...POD, 'nodeSelector', 'suanli.io/accelerator'],
      'H800 SXM',
      /not a valid label value \("H800 SXM"\)/,
    ],
    ['half a GPU', [...MAIN, 'resources', 'requests', 'nvidia.com/gpu'], '0.5', /must be a whole number of devices/],
    [
      'a device limit other than the request',
      [...MAIN, 'resources', 'limits', 'nvidia.com/gpu'],
      '1',
      /limits\.nvidia\.com\/gpu: must equal the request/,
    ],
    [
      'a field the CLI does not write',
      ['spec', 'ttlSecondsAfterFinished'],
      60,
      /ttlSecondsAfterFinished: unknown field/,
    ],
  ])('refuses %s, as the API server would', (_what, path, value, message) => {
    const m = changed(path, value);
    expect(kubernetesSchemaError(m)).toBeUndefined();
    expect(cliCheckError(m)).toMatch(message);
  });
});
