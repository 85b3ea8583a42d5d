import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimBackend } from '@suanli/backends';
import type { DecideResult, Network, Policy, Profile, Solver } from '@suanli/engine';
import { type Backend, builtinNetwork, type Store, SuanliService } from '@suanli/service';
import { openSqliteStore } from '@suanli/store';

/** A clock the test moves by hand: no test sleeps. */
export function manualClock(startS = 1_795_392_000) {
  let now = startS;
  return {
    nowS: () => now,
    advance(s: number) {
      now += s;
    },
    set(s: number) {
      now = s;
    },
  };
}

export interface Harness {
  readonly service: SuanliService;
  readonly store: Store;
  readonly clock: ReturnType<typeof manualClock>;
  /** The simulated backend (to make a run fail, as a node going down would). */
  readonly sim: SimBackend;
  readonly dbPath: string;
  /** Runs backend sync and a scheduling cycle, as the server loop does. */
  cycle(): Promise<void>;
  /** A second service on the same database file, as after a restart. */
  restart(): Promise<Harness>;
}

export async function harness(
  options: {
    network?: Network;
    speedup?: number;
    /** Seconds the sim backend takes between a hand-over and the start (default 1). */
    startDelayS?: number;
    /** Cycles fall due on multiples of this (the service's default: 0, at once). */
    cycleS?: number;
    /** Told every cycle's decisions. */
    onCycle?: (nowS: number, result: DecideResult) => void;
    newId?: () => string;
    /** The scheduling profile (the default profile when absent). */
    profile?: Profile;
    dbPath?: string;
    clock?: ReturnType<typeof manualClock>;
    solver?: Solver;
    policy?: Policy;
    /** Another store than a fresh SQLite file (PostgreSQL); called again on restart. */
    openStore?: () => Promise<Store>;
    /** More backends than the sim one (a real Slurm). */
    backends?: ReadonlyMap<string, Backend>;
    /** Seconds between history samples (the service's default: 60). */
    historyStepS?: number;
    /** A backend silent this long takes its sites out (the service's default: 120 s). */
    healthTimeoutS?: number;
  } = {},
): Promise<Harness> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'suanli-test-')), 'suanli.db');
  const clock = options.clock ?? manualClock();
  const store = options.openStore ? await options.openStore() : await openSqliteStore(dbPath);
  const sim = new SimBackend({
    clock,
    speedup: options.speedup ?? 60,
    ...(options.startDelayS !== undefined ? { startDelayS: options.startDelayS } : {}),
  });
  const backends = new Map<string, Backend>([['sim', sim], ...(options.backends ?? new Map())]);
  const network = options.network ?? builtinNetwork();
  const service = new SuanliService({
    store,
    network,
    clock,
    backends,
    ...(options.solver ? { solver: options.solver } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.cycleS !== undefined ? { cycleS: options.cycleS } : {}),
    ...(options.onCycle ? { onCycle: options.onCycle } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
    ...(options.historyStepS !== undefined ? { historyStepS: options.historyStepS } : {}),
    ...(options.healthTimeoutS !== undefined ? { healthTimeoutS: options.healthTimeoutS } : {}),
  });
  const h: Harness = {
    service,
    sim,
    store,
    clock,
    dbPath,
    async cycle() {
      await service.syncBackends();
      await service.schedule();
    },
    async restart() {
      await store.close();
      return harness({ ...options, dbPath, clock });
    },
  };
  return h;
}

export const TRAIN_SPEC = `name: llama-ft
kind: finetune
tenant: acme-ai
resources:
  accelerators: { H800: 8 }
gang: 2
durationS: 3600
`;

/** One site with a 16-H100 pool; tenant `lab` has a cluster queue of 8 H100 and no cohort. */
export const SMALL_NETWORK = `name: small
sites:
  - id: only
    name: Only site
    province: Ningxia
    lat: 37.5
    lon: 105.2
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: [0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    pools:
      - { accelerator: H100, count: 16, priceCnyPerAcceleratorHour: 12 }
tenants:
  - { id: lab, name: Lab, sector: research, clusterQueue: lab }
  - { id: team, name: Team, sector: internet }
clusterQueues:
  - name: lab
    quotas: { H100: { nominal: 8 } }
`;

/** A job spec for the small network. */
export function smallSpec(name: string, tenant: string, extra = ''): string {
  return `name: ${name}\nkind: train\ntenant: ${tenant}\nresources:\n  accelerators: { H100: 8 }\ndurationS: 36000\n${extra}`;
}
