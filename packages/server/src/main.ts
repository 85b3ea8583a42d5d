import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { SimBackend, SlurmBackend, type SlurmBackendOptions } from '@suanli/backends';
import type { Network } from '@suanli/engine';
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
  SuanliService,
} from '@suanli/service';
import { loadHighsSolver } from '@suanli/solver';
import { openPostgresStore, openSqliteStore } from '@suanli/store';
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import { Metrics } from './metrics.ts';
import { startSchedulerLoop } from './scheduler-loop.ts';
import { systemClock } from './system-clock.ts';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
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
  /** Milliseconds between scheduling cycles. */
  readonly cycleMs?: number;
  readonly webDir?: string;
  readonly logger?: Logger;
}

export interface RunningServer {
  readonly url: string;
  readonly service: SuanliService;
  readonly network: Network;
  /** The operator token written to the data folder on the first start (OPERATOR_TOKEN_FILE), if it is still there. */
  readonly operatorToken: string | undefined;
  close(): Promise<void>;
}

/** Where the first operator token is written (readable by its owner only). */
export const OPERATOR_TOKEN_FILE = 'operator.token';

export const DEFAULTS = { host: '127.0.0.1', port: 7070, dataDir: '.suanli', speedup: 60, cycleMs: 1000 };

/**
 * The composition root: builds the store, backends, service, HTTP app and scheduler loop from
 * options, and starts them. Nothing is registered anywhere else.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? pino({ name: 'suanli' });
  const network = options.networkFile ? loadNetworkFile(options.networkFile) : builtinNetwork();
  const profile = options.profileFile ? loadProfileFile(options.profileFile) : builtinProfile();
  const policy =
    options.policyFile === false
      ? undefined
      : options.policyFile
        ? loadPolicyFile(options.policyFile)
        : builtinPolicy();
  const solver = profile.optimizer.mode === 'off' ? undefined : await loadHighsSolver();
  const dataDir = resolve(options.dataDir ?? DEFAULTS.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const store = options.databaseUrl
    ? await openPostgresStore(
        options.databaseUrl,
        options.databaseSchema !== undefined ? { schema: options.databaseSchema } : {},
      )
    : await openSqliteStore(join(dataDir, 'suanli.db'));
  const logKey = loadOrCreateLogKey(join(dataDir, 'audit-ed25519.pem'));
  const backends = new Map<string, Backend>([
    ['sim', new SimBackend({ clock: systemClock, speedup: options.speedup ?? DEFAULTS.speedup })],
  ]);
  if (options.slurm) backends.set('slurm', new SlurmBackend({ ...options.slurm, clock: systemClock }));
  let service: SuanliService;
  try {
    service = new SuanliService({
      store,
      network,
      clock: systemClock,
      backends,
      profile,
      ...(solver ? { solver } : {}),
      onWarning: (message, detail) => log.warn({ err: detail }, message),
      logKey,
      ...(policy ? { policy } : {}),
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
  const created = await service.bootstrapOperator();
  if (created) {
    writeFileSync(tokenPath, `${created}\n`, { mode: 0o600 });
    log.info({ tokenFile: tokenPath }, 'created the first operator token');
  }
  const operatorToken = existsSync(tokenPath) ? readFileSync(tokenPath, 'utf8').trim() : undefined;
  const metrics = new Metrics(service);
  const app = createApp(service, { metrics, ...(options.webDir ? { webDir: options.webDir } : {}) });

  const host = options.host ?? DEFAULTS.host;
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? DEFAULTS.port }, () => ok(s));
    s.once('error', fail);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  const loop = startSchedulerLoop(service, options.cycleMs ?? DEFAULTS.cycleMs, log, metrics);
  log.info(
    {
      url,
      network: network.name,
      sites: network.sites.length,
      profile: profile.name,
      policy: policy ? `${policy.name} v${policy.version} (${policy.rules.length} rules)` : 'none',
      store: options.databaseUrl ? 'postgresql' : 'sqlite',
      dataDir,
    },
    'suanli is serving',
  );

  return {
    url,
    service,
    network,
    operatorToken,
    async close() {
      await loop.stop();
      await new Promise<void>((ok) => server.close(() => ok()));
      await store.close();
    },
  };
}

/** The audit log's Ed25519 key, kept beside the store (readable by its owner only); made on first start. */
function loadOrCreateLogKey(path: string): LogKey {
  if (existsSync(path)) return logKeyFromPem(readFileSync(path, 'utf8'));
  const { key, pem } = generateLogKey();
  writeFileSync(path, pem, { mode: 0o600 });
  return key;
}
