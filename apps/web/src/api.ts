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

async function get<T>(path: string): Promise<T> {
  const token = apiToken();
  const res = await fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status === 401) throw new Error('no valid API token: open the address `suanli serve` printed (…/#token=…)');
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export const api = {
  sites: () => get<Site[]>('/v1/sites'),
  jobs: () => get<Job[]>('/v1/jobs?limit=200'),
  job: (id: string) => get<Job>(`/v1/jobs/${encodeURIComponent(id)}`),
};
