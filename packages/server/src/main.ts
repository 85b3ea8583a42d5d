import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { serve } from '@hono/node-server';
import type { SlurmBackendOptions } from '@suanli/backends';
import type { Network } from '@suanli/engine';
import type { SuanliService } from '@suanli/service';
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import { type ComposeOptions, composeService, ownerOnly } from './compose.ts';
import { answerClientErrors, listen } from './http-listen.ts';
import { Metrics } from './metrics.ts';
import { type SchedulerLoop, startSchedulerLoop } from './scheduler-loop.ts';
import { startSchedulerThread, workerAvailable } from './scheduler-thread.ts';

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
  /** Seconds between the history's samples (default 60; a whole divisor of 900). */
  readonly historyStepS?: number;
  /** A backend silent this long takes its sites out of service (default 120 s). */
  readonly healthTimeoutS?: number;
  /** Milliseconds between scheduling cycles. */
  readonly cycleMs?: number;
  /**
   * Where the scheduler runs: in a worker thread (default when built: a cycle never holds up a
   * request) or in the HTTP thread (tests that run the sources).
   */
  readonly scheduler?: 'worker' | 'in-process';
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
  const composeOptions: ComposeOptions = {
    ...(options.slurm ? { slurm: options.slurm } : {}),
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.databaseSchema !== undefined ? { databaseSchema: options.databaseSchema } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.networkFile !== undefined ? { networkFile: options.networkFile } : {}),
    ...(options.policyFile !== undefined ? { policyFile: options.policyFile } : {}),
    ...(options.profileFile !== undefined ? { profileFile: options.profileFile } : {}),
    ...(options.speedup !== undefined ? { speedup: options.speedup } : {}),
    ...(options.historyStepS !== undefined ? { historyStepS: options.historyStepS } : {}),
    ...(options.healthTimeoutS !== undefined ? { healthTimeoutS: options.healthTimeoutS } : {}),
  };
  const { service, store, network, profile, policy, dataDir } = await composeService(composeOptions, log);
  const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
  const created = await service.bootstrapOperator();
  ownerOnly(tokenPath);
  if (created) {
    writeFileSync(tokenPath, `${created}\n`, { mode: 0o600 });
    log.info({ tokenFile: tokenPath }, 'created the first operator token');
  }
  const operatorToken = existsSync(tokenPath) ? readFileSync(tokenPath, 'utf8').trim() : undefined;
  // The log records the key it signs with (first start, replaced key file), for offline verifiers.
  await service.auditLog.recordKey().catch((e: unknown) => log.error({ err: e }, 'cannot record the audit log key'));
  const metrics = new Metrics(service);
  const app = createApp(service, { metrics, log, ...(options.webDir ? { webDir: options.webDir } : {}) });

  const host = options.host ?? DEFAULTS.host;
  const wanted = options.port ?? DEFAULTS.port;
  let server: ReturnType<typeof serve>;
  try {
    server = await listen(app.fetch, host, wanted);
  } catch (e) {
    await store.close();
    throw e;
  }
  answerClientErrors(server);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  const cycleMs = options.cycleMs ?? DEFAULTS.cycleMs;
  const inWorker = (options.scheduler ?? (workerAvailable() ? 'worker' : 'in-process')) === 'worker';
  let loop: SchedulerLoop;
  try {
    loop = inWorker
      ? await startSchedulerThread(composeOptions, cycleMs, SHUTDOWN_GRACE_MS, log, metrics)
      : startSchedulerLoop(service, cycleMs, log, metrics);
  } catch (e) {
    await new Promise<void>((ok) => server.close(() => ok()));
    await store.close();
    throw e;
  }
  log.info(
    {
      url,
      network: network.name,
      sites: network.sites.length,
      profile: profile.name,
      policy: policy ? `${policy.name} v${policy.version} (${policy.rules.length} rules)` : 'none',
      store: options.databaseUrl ? 'postgresql' : 'sqlite',
      scheduler: inWorker ? 'worker thread' : 'in process',
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
      // Stop taking requests and cycles; finish what is in flight for a few seconds, then cut it.
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const cut = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      await Promise.all([loop.stop(SHUTDOWN_GRACE_MS), closed]);
      clearTimeout(cut);
      await store.close();
    },
  };
}

/** How long a stopping server lets requests and a scheduling cycle in flight finish. */
const SHUTDOWN_GRACE_MS = 3000;
