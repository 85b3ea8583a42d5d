import { describeIssue, fieldName, SuanliError } from '@suanli/service';
import { z } from 'zod';

/*
 * The batch/v1 Job fields that `kueueJobManifest` writes, typed as the Kubernetes OpenAPI schema
 * types them (int32, enums, quantities, string maps) and checked with the rules the API server adds
 * on top (k8s.io/apimachinery/pkg/util/validation: DNS-1123 names, label keys and values; Job pods
 * restart Never or OnFailure; extended resources whole and requested as limited). Any other field is
 * refused, so the check never quietly covers less than what is written. The tests check the same
 * manifests against the full Kubernetes schema (kubernetes-models, a devDependency).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** resource.Quantity as text: a decimal number with an optional SI, binary or exponent suffix. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const INT32_MAX = 2 ** 31 - 1;

function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A device plug-in's resource (`nvidia.com/gpu`): a domain other than kubernetes.io's. */
function isExtendedResource(name: string): boolean {
  const domain = name.includes('/') ? name.slice(0, name.indexOf('/')) : undefined;
  return domain !== undefined && domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

const dnsLabel = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, 'must be a DNS-1123 label: lower-case letters, digits and -, starting and ending alphanumeric');

/** A map of qualified-name keys (labels, annotations, node selectors); `values` also checks each value. */
function keyedStrings(values?: 'label-values') {
  return z.record(z.string(), z.string()).superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      if (!isQualifiedName(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'is not a valid key: [DNS-1123 prefix/]name, the name at most 63 letters, digits, -, _ or .',
        });
      } else if (values && (value.length > 63 || !LABEL_VALUE.test(value))) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is not a valid label value (${JSON.stringify(value)}): at most 63 letters, digits, -, _ or ., starting and ending alphanumeric`,
        });
      }
    }
  });
}

const quantity = z.union([
  z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 8, 500m or 64Gi'),
  z.number(),
]);
const resourceList = z.record(z.string(), quantity).superRefine((map, ctx) => {
  for (const [name, q] of Object.entries(map)) {
    if (!isQualifiedName(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid resource name' });
    else if (isExtendedResource(name) && !/^\d+$/.test(String(q))) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'must be a whole number of devices' });
    }
  }
});

const int32 = z.number().int().min(0).max(INT32_MAX);

const container = z
  .strictObject({
    name: dnsLabel,
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    resources: z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
    env: z
      .array(
        z.strictObject({
          name: z.string().regex(ENV_NAME, 'must be an environment variable name: letters, digits, -, _ and .'),
          value: z.string().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((c, ctx) => {
    // An extended resource's request must equal its limit.
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      if (isExtendedResource(name) && String(c.resources?.limits?.[name]) !== String(q)) {
        ctx.addIssue({ code: 'custom', path: ['resources', 'limits', name], message: 'must equal the request' });
      }
    }
  });

const jobManifest = z.strictObject({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: z.strictObject({
    name: dnsLabel,
    namespace: dnsLabel.optional(),
    labels: keyedStrings('label-values').optional(),
    annotations: keyedStrings().optional(),
  }),
  spec: z.strictObject({
    suspend: z.boolean().optional(),
    parallelism: int32.optional(),
    completions: int32.optional(),
    completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
    backoffLimit: int32.optional(),
    activeDeadlineSeconds: z.number().int().positive().optional(),
    template: z.strictObject({
      metadata: z.strictObject({ labels: keyedStrings('label-values').optional() }).optional(),
      spec: z.strictObject({
        restartPolicy: z.enum(['Never', 'OnFailure']),
        nodeSelector: keyedStrings('label-values').optional(),
        containers: z.array(container).min(1),
      }),
    }),
  }),
});

/**
 * Checks a Job manifest written by `kueueJobManifest` before it leaves the CLI; the first problem as
 * one INVALID_FIELD error naming the field.
 */
export function validateJobManifest(manifest: Record<string, unknown>, what: string): void {
  const result = jobManifest.safeParse(manifest);
  const issue = result.error?.issues[0];
  if (!issue) return;
  const { path, message } = describeIssue(issue);
  const field = path.length > 0 ? `${fieldName(path)}: ` : '';
  throw new SuanliError('INVALID_FIELD', `${what} is not a valid Kubernetes Job: ${field}${message}`);
}
