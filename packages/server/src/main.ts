import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { SimBackend, SlurmBackend, type SlurmBackendOptions } from '@suanli/backends';
import type { Network } from '@suanli/engine';
import {
  type Backend,
  builtinNetwork,
  builtinPolicy,
  builtinProfile,
  generateLogKey,
  HTTP_STATUS,
  type LogKey,
  loadNetworkFile,
  loadPolicyFile,
  loadProfileFile,
  logKeyFromPem,
  SuanliError,
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

function listen(fetch: (req: Request) => Response | Promise<Response>, host: string, port: number) {
  return new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch, hostname: host, port }, () => ok(s));
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        fail(
          new SuanliError('ADDRESS_IN_USE', `${host}:${port} is in use (another suanli serve?): choose another --port`),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
        fail(new SuanliError('ADDRESS_IN_USE', `cannot listen on ${host}:${port}: ${e.code}`));
      } else fail(e);
    });
  });
}

/**
 * Requests Node refuses before Hono sees them (headers too large, malformed HTTP) get a JSON error
 * of the catalog, like every other answer, and the connection is closed.
 */
function answerClientErrors(server: ReturnType<typeof serve>): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const e =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new SuanliError('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KB)')
        : new SuanliError('MALFORMED_INPUT', `not a valid HTTP request (${err.code ?? 'parse error'})`);
    const body = JSON.stringify(e.toBody());
    const status = `${HTTP_STATUS[e.code]} ${e.code === 'HEADERS_TOO_LARGE' ? 'Request Header Fields Too Large' : 'Bad Request'}`;
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
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
function ownerOnly(path: string): void {
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
