import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimBackend, SlurmBackend, type SlurmBackendOptions } from '@suanli/backends';
import type { Network, Policy, Profile } from '@suanli/engine';
import {
  type Backend,
  builtinNetwork,
  builtinPolicy,
  builtinProfile,
  generateLogKey,
  type LogKey,
  loadNetworkFile,
  loadPolicyFile,
  loadProfileFile,
  logKeyFromPem,
  type Store,
  SuanliService,
} from '@suanli/service';
import { loadHighsSolver } from '@suanli/solver';
import { openPostgresStore, openSqliteStore } from '@suanli/store';
import type { Logger } from 'pino';
import { systemClock } from './system-clock.ts';

/** What a service is built from: plain data, so a scheduler worker thread can build its own. */
export interface ComposeOptions {
  /** slurmrestd of the sites whose pools name `backend: slurm` (SLURMRESTD_URL and friends). */
  readonly slurm?: Omit<SlurmBackendOptions, 'clock'>;
  /** A PostgreSQL URL (DATABASE_URL): the store lives there instead of the SQLite file. */
  readonly databaseUrl?: string;
  /** A schema of that database to use (tests); the user's search path when absent. */
  readonly databaseSchema?: string;
  /** Folder for the SQLite file, the audit key and the first operator token. */
  readonly dataDir?: string;
  /** A network YAML file; the built-in cn-national network when absent. */
  readonly networkFile?: string;
  /** Governance rules: a policy file, `false` for none; the built-in China policy when absent. */
  readonly policyFile?: string | false;
  /** A scheduling profile YAML file; the built-in default profile when absent. */
  readonly profileFile?: string;
  /** How much faster than real time the sim backend runs jobs. */
  readonly speedup?: number;
  /** Seconds between the history's samples (default 60). */
  readonly historyStepS?: number;
  /** A backend silent this long takes its sites out of service (default 120 s). */
  readonly healthTimeoutS?: number;
}

export const COMPOSE_DEFAULTS = { dataDir: '.suanli', speedup: 60 };

export interface Composed {
  readonly service: SuanliService;
  readonly store: Store;
  readonly network: Network;
  readonly profile: Profile;
  readonly policy: Policy | undefined;
  readonly dataDir: string;
}

/**
 * The composition root of a service: the network, rules and profile from their files, the store
 * (SQLite in the data folder, or PostgreSQL), the audit key, the backends. The HTTP server and the
 * scheduler worker each build one from the same options.
 */
export async function composeService(options: ComposeOptions, log: Logger): Promise<Composed> {
  const network = options.networkFile ? loadNetworkFile(options.networkFile) : builtinNetwork();
  const profile = options.profileFile ? loadProfileFile(options.profileFile) : builtinProfile();
  const policy =
    options.policyFile === false
      ? undefined
      : options.policyFile
        ? loadPolicyFile(options.policyFile)
        : builtinPolicy();
  const solver = profile.optimizer.mode === 'off' ? undefined : await loadHighsSolver();
  const dataDir = resolve(options.dataDir ?? COMPOSE_DEFAULTS.dataDir);
  // The store, the audit key and the operator token are for this user only: folder 0700, files 0600.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & 0o077) log.warn({ dataDir, mode: mode.toString(8) }, 'the data folder is open to others: chmod 700 it');
  const store = options.databaseUrl
    ? await openPostgresStore(options.databaseUrl, {
        ...(options.databaseSchema !== undefined ? { schema: options.databaseSchema } : {}),
        onWarning: (message, detail) => log.warn({ err: detail }, message),
      })
    : await openSqliteStore(ownerOnlyFile(join(dataDir, 'suanli.db')));
  const logKey = loadOrCreateLogKey(join(dataDir, 'audit-ed25519.pem'));
  const backends = new Map<string, Backend>([
    ['sim', new SimBackend({ clock: systemClock, speedup: options.speedup ?? COMPOSE_DEFAULTS.speedup })],
  ]);
  if (options.slurm) backends.set('slurm', new SlurmBackend({ ...options.slurm, clock: systemClock }));
  try {
    const service = new SuanliService({
      store,
      network,
      clock: systemClock,
      backends,
      profile,
      ...(solver ? { solver } : {}),
      onWarning: (message, detail) => log.warn({ err: detail }, message),
      logKey,
      ...(policy ? { policy } : {}),
      ...(options.historyStepS !== undefined ? { historyStepS: options.historyStepS } : {}),
      ...(options.healthTimeoutS !== undefined ? { healthTimeoutS: options.healthTimeoutS } : {}),
    });
    return { service, store, network, profile, policy, dataDir };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * Creates a file readable by its owner only, if it is not there yet, and closes one that is (and
 * SQLite's -wal and -shm beside it, made with the file's mode) to group and others; returns its path.
 */
function ownerOnlyFile(path: string): string {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) ownerOnly(p);
  return path;
}

/** Takes group and others' access from a file, if it exists (files of older versions were 0644). */
export function ownerOnly(path: string): void {
  if (existsSync(path) && statSync(path).mode & 0o077) chmodSync(path, 0o600);
}

/** The audit log's Ed25519 key, kept beside the store (readable by its owner only); made on first start. */
function loadOrCreateLogKey(path: string): LogKey {
  ownerOnly(path);
  if (existsSync(path)) return logKeyFromPem(readFileSync(path, 'utf8'));
  const { key, pem } = generateLogKey();
  writeFileSync(path, pem, { mode: 0o600 });
  return key;
}
