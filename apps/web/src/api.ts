/** The slice of the Suanli API the dashboard reads. */

export interface Pool {
  id: string;
  accelerator: string;
  count: number;
  used: number;
}

export interface Site {
  id: string;
  name: string;
  nameZh?: string;
  province: string;
  kind: string;
  lat: number;
  lon: number;
  pue: number;
  gridCarbonKgPerKwh: number;
  accelerators: number;
  used: number;
  utilization: number;
  pools: Pool[];
}

export interface Estimate {
  startS: number;
  endS: number;
  durationS: number;
  waitS: number;
  transferS: number;
  energyKwh: number;
  costCny: number;
  carbonKg: number;
}

export type Verdict =
  | { siteId: string; outcome: 'filtered'; plugin: string; code: string; reason: string }
  | {
      siteId: string;
      outcome: 'scored';
      poolId: string;
      accelerator: string;
      count: number;
      estimate: Estimate;
      scores: { cost: number; carbon: number; time: number };
      total: number;
      rank: number;
    };

export interface Job {
  id: string;
  state: string;
  spec: {
    name: string;
    kind: string;
    tenant: string;
    gang: number;
    options: { accelerator: string; perMember: number }[];
  };
  submittedAtS: number;
  placement?: { siteId: string; poolId: string; accelerator: string; count: number; estimate: Estimate };
  explanation?: { atS: number; summary: string; notes?: string[]; verdicts: Verdict[] };
  message?: string;
}

const TOKEN_KEY = 'suanli.token';

/**
 * The API token: opened as `/#token=sl_…` (as `suanli serve` prints), kept in this browser's
 * storage and taken out of the address bar.
 */
export function apiToken(): string | null {
  const fromHash = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash)?.[1];
  if (fromHash) {
    window.localStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash));
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return window.localStorage.getItem(TOKEN_KEY);
}

async function request<T>(method: string, path: string, body?: string, type = 'application/yaml'): Promise<T> {
  const token = apiToken();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = type;
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body } : {}) });
  if (res.status === 401) throw new Error('no valid API token: open the address `suanli serve` printed (…/#token=…)');
  if (!res.ok) {
    const err = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    throw new Error(err?.error ? `${err.error.message} [${err.error.code}]` : `${path}: HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

const get = <T>(path: string) => request<T>('GET', path);

export interface Quote {
  summary: string;
  options: Extract<Verdict, { outcome: 'scored' }>[];
  rejected: Extract<Verdict, { outcome: 'filtered' }>[];
}

export interface Rule {
  id: string;
  title: string;
  source: string;
  stage: string;
  effect: string;
}

export interface Dataset {
  name: string;
  sizeGb: number;
  replicas: string[];
  level?: string;
  pi?: string;
  individuals?: number;
  owner?: string;
}

export interface Model {
  id: string;
  name: string;
  kind: string;
  owner: string;
  weightsDigest: string;
  filedWeightsDigest?: string;
  genaiFilingNo?: string;
  algorithmFilingNo?: string;
  sectors: string[];
  audits: { sector: string; passed: boolean; disparateImpactRatio: number }[];
}

export const api = {
  sites: () => get<Site[]>('/v1/sites'),
  jobs: () => get<Job[]>('/v1/jobs?limit=200'),
  job: (id: string) => get<Job>(`/v1/jobs/${encodeURIComponent(id)}`),
  quote: (spec: string) => request<Quote>('POST', '/v1/quote', spec),
  submit: (spec: string) => request<Job>('POST', '/v1/jobs', spec),
  cancel: (id: string) => request<Job>('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`),
  why: (id: string) =>
    get<{
      reason: string;
      ahead: number;
      quota?: {
        clusterQueue: string;
        flavours: { flavour: string; nominal: number; used: number; available: number; needs: number }[];
      };
    }>(`/v1/jobs/${encodeURIComponent(id)}/why`),
  quotas: () =>
    get<
      {
        name: string;
        cohort?: string;
        tenants: string[];
        flavours: { flavour: string; nominal: number; used: number; available: number; borrowed: number }[];
      }[]
    >('/v1/quotas'),
  policy: () => get<{ name: string; version: number; rules: Rule[] }>('/v1/policies'),
  datasets: () => get<Dataset[]>('/v1/datasets'),
  models: () => get<Model[]>('/v1/models'),
  auditHead: () => get<{ treeSize: number; rootHash: string; timestampS: number }>('/v1/audit/head'),
  verifyAudit: () => get<{ ok: boolean; entries: number; problem?: string }>('/v1/audit/verify'),
};
