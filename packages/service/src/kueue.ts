import type { Network } from '@suanli/engine';
import { SuanliError } from './errors.ts';
import type { JobRecord } from './job-record.ts';

/** Device plug-in resource names by accelerator vendor. */
const DEVICE_RESOURCE: Readonly<Record<string, string>> = {
  NVIDIA: 'nvidia.com/gpu',
  Huawei: 'huawei.com/Ascend910',
  AMD: 'amd.com/gpu',
};

export interface KueueOptions {
  /** Namespace of the Job; default: the tenant id. */
  readonly namespace?: string;
  /** Container image to run; Suanli's job specs carry none, so this is the site's to set. */
  readonly image?: string;
  readonly command?: readonly string[];
}

/** A DNS-1123 name from a Suanli id. */
function dnsName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/**
 * A Kueue-ready Kubernetes Job for a placed job, for sites run by Kubernetes: created suspended
 * (Kueue admits it by unsuspending), labelled with its LocalQueue (`kueue.x-k8s.io/queue-name`,
 * named after the tenant's cluster queue), one pod per gang member with the member's accelerators
 * as the device plug-in's resource, a node selector for the accelerator type (the site's Kueue
 * ResourceFlavor of that type carries the same node label), and a deadline from the estimate.
 * Plain data: `suanli export` validates it against the Kubernetes schema and writes YAML.
 */
export function kueueJobManifest(
  job: JobRecord,
  network: Network,
  options: KueueOptions = {},
): Record<string, unknown> {
  const p = job.placement;
  if (!p) throw new SuanliError('INVALID_FIELD', `job ${job.id} is not placed yet (${job.state}): nothing to export`);
  const spec = network.accelerators.find((a) => a.type === p.accelerator);
  const resource = DEVICE_RESOURCE[spec?.vendor ?? 'NVIDIA'] ?? 'nvidia.com/gpu';
  const tenant = network.tenants.find((t) => t.id === job.spec.tenant);
  const gang = job.spec.gang;
  const perMember = Math.max(1, Math.round(p.count / gang));
  const labels = {
    'kueue.x-k8s.io/queue-name': dnsName(tenant?.clusterQueue ?? job.spec.tenant),
    'suanli.io/job-id': dnsName(job.id),
    'suanli.io/tenant': dnsName(job.spec.tenant),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: dnsName(`suanli-${job.id}`),
      namespace: dnsName(options.namespace ?? job.spec.tenant),
      labels,
      annotations: {
        'suanli.io/name': job.spec.name,
        'suanli.io/site': p.siteId,
        'suanli.io/pool': p.poolId,
        'suanli.io/accelerator': p.accelerator,
        'suanli.io/estimate-s': String(Math.round(p.estimate.durationS)),
      },
    },
    spec: {
      suspend: true,
      parallelism: gang,
      completions: gang,
      completionMode: 'Indexed',
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(60, Math.ceil(p.estimate.durationS * 1.5)),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { 'suanli.io/accelerator': p.accelerator },
          containers: [
            {
              name: 'main',
              image: options.image ?? 'busybox:1.36',
              command: [...(options.command ?? ['sh', '-c', `echo "Suanli job ${job.id}: set the image"`])],
              resources: {
                requests: { [resource]: String(perMember) },
                limits: { [resource]: String(perMember) },
              },
              env: [
                { name: 'SUANLI_JOB_ID', value: job.id },
                { name: 'SUANLI_SITE', value: p.siteId },
              ],
            },
          ],
        },
      },
    },
  };
}
