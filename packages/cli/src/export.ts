import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SuanliError } from '@suanli/service';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { stringify } from 'yaml';
import type { ApiClient } from './client.ts';

/** Checks a manifest against the Kubernetes schema (batch/v1 Job); the first problem as one error. */
export function validateJobManifest(manifest: Record<string, unknown>, what: string): void {
  try {
    new Job(manifest as ConstructorParameters<typeof Job>[0]).validate();
  } catch (e) {
    throw new SuanliError('INVALID_FIELD', `${what} is not a valid Kubernetes Job: ${(e as Error).message}`);
  }
}

/**
 * `suanli export ID…`: Kueue-ready Kubernetes Jobs for placed jobs, validated against the Kubernetes
 * schema here (no API server is needed), as YAML documents on stdout or one file each in `out`.
 */
export async function exportJobs(
  client: ApiClient,
  ids: readonly string[],
  o: { out?: string; namespace?: string; image?: string },
): Promise<{ yaml: string; files: string[] }> {
  const docs: string[] = [];
  const files: string[] = [];
  for (const id of ids) {
    const manifest = await client.kueue(id, o);
    validateJobManifest(manifest, `the manifest of ${id}`);
    const text = stringify(manifest);
    if (o.out) {
      mkdirSync(o.out, { recursive: true });
      const file = join(o.out, `${(manifest['metadata'] as { name: string }).name}.yaml`);
      writeFileSync(file, text);
      files.push(file);
    } else docs.push(text);
  }
  return { yaml: docs.join('---\n'), files };
}
