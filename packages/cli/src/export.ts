import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ApiClient } from './client.ts';
import { validateJobManifest } from './job-manifest.ts';

/**
 * `suanli export ID…`: Kueue-ready Kubernetes Jobs for placed jobs, checked here against the
 * Kubernetes types and validation rules of the fields they carry (no API server is needed), as YAML
 * documents on stdout or one file each in `out`.
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
