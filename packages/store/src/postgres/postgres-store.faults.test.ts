import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openPostgresStore,
  type PostgresOptions,
  type PostgresStore,
  postgresConnectionConfig,
} from './postgres-store.ts';

// Tests take their database from SUANLI_TEST_DATABASE_URL (so a DATABASE_URL meant for a server is never wiped), else DATABASE_URL.
const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];

const servers: Server[] = [];
const sockets = new Set<Socket>();
const stores: PostgresStore[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end();
  for (const s of stores.splice(0)) await s.close();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** Listens on a free port of 127.0.0.1; every accepted socket is destroyed after the test. */
async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

/** The test database's URL, pointed at another port of 127.0.0.1. */
function urlAt(port: number): string {
  const u = new URL(url ?? 'postgres://app:app@127.0.0.1:5432/app');
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

describe('PostgreSQL store against a server that accepts and never answers', () => {
  it('fails to open within about the connect timeout, naming the server and the timeout', async () => {
    const port = await listen(createServer(() => {}));
    const t0 = performance.now();
    await expect(openPostgresStore(urlAt(port), { connectTimeoutMs: 300, schema: 'never_made' })).rejects.toThrow(
      new RegExp(`cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/\\w+ \\(connect timeout 300 ms\\)`),
    );
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  it('sets every timeout on every connection, the leader connection too', () => {
    const options: PostgresOptions = {
      connectTimeoutMs: 1000,
      statementTimeoutMs: 2000,
      idleInTransactionTimeoutMs: 3000,
      applicationName: 'x',
    };
    expect(postgresConnectionConfig('postgres://h/db', options)).toMatchObject({
      connectionTimeoutMillis: 1000,
      statement_timeout: 2000,
      idle_in_transaction_session_timeout: 3000,
      application_name: 'x',
    });
    expect(postgresConnectionConfig('postgres://h/db', options, 'leader')).toMatchObject({
      connectionTimeoutMillis: 1000,
      statement_timeout: 2000,
      idle_in_transaction_session_timeout: 3000,
      query_timeout: 1000,
      application_name: 'x leader',
    });
    expect(postgresConnectionConfig('postgres://h/db')).toMatchObject({
      connectionTimeoutMillis: 5000,
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'suanli',
    });
  });
});

/** A TCP relay to the real PostgreSQL that can be cut (every connection dropped, new ones refused) and healed. */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): void; heal(): void }> {
  let down = false;
  const pairs = new Set<Socket>();
  const port = await listen(
    createServer((inbound) => {
      if (down) {
        inbound.destroy();
        return;
      }
      const outbound = connect(Number(target.port || 5432), target.hostname);
      for (const [a, b] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        pairs.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          pairs.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    }),
  );
  return {
    url: urlAt(port),
    cut() {
      down = true;
      for (const s of pairs) s.destroy();
    },
    heal() {
      down = false;
    },
  };
}

describe.skipIf(!url)(
  'PostgreSQL store on a real PostgreSQL (needs DATABASE_URL: ../shared/scripts/postgres-up.sh)',
  () => {
    const name = () => `t_${randomBytes(6).toString('hex')}`;

    /** A plain connection of the test's own, to hold locks and end other sessions. */
    async function admin(): Promise<pg.Client> {
      const c = new pg.Client({ connectionString: url });
      clients.push(c);
      await c.connect();
      return c;
    }

    async function open(options: PostgresOptions & { schema: string }, at = url as string): Promise<PostgresStore> {
      const store = await openPostgresStore(at, options);
      stores.push(store);
      return store;
    }

    /** Ends the sessions of that application name, waiting until they are gone; how many it ended. */
    async function terminate(a: pg.Client, applicationName: string): Promise<number> {
      const r = await a.query(
        'select count(pg_terminate_backend(pid, 5000))::int as n from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      return r.rows[0].n as number;
    }

    it('cancels a statement blocked by a lock another connection holds at the statement timeout, saying so', async () => {
      const schema = name();
      const store = await open({ schema, statementTimeoutMs: 400 });
      const a = await admin();
      await a.query('begin');
      await a.query(`lock table ${schema}.jobs in access exclusive mode`);
      const t0 = performance.now();
      await expect(store.getJob('j-1')).rejects.toThrow('canceling statement due to statement timeout');
      const ms = performance.now() - t0;
      await a.query('rollback');
      expect(ms).toBeGreaterThanOrEqual(350);
      expect(ms).toBeLessThan(3000);
      // The lock gone, the same store works again.
      await expect(store.getJob('j-1')).resolves.toBeUndefined();
    });

    it('PostgreSQL ends a session left idle inside a transaction after the idle-in-transaction timeout', async () => {
      const c = new pg.Client(postgresConnectionConfig(url as string, { idleInTransactionTimeoutMs: 300 }));
      clients.push(c);
      const broke = new Promise<Error>((ok) => c.on('error', ok));
      await c.connect();
      await c.query('begin');
      await c.query('select 1');
      expect((await broke).message).toMatch(/idle-in-transaction timeout/);
    });

    it('survives PostgreSQL dropping its idle pooled connections, and says so', async () => {
      const schema = name();
      const warnings: string[] = [];
      const store = await open({ schema, applicationName: schema, onWarning: (m, e) => warnings.push(`${m}: ${e}`) });
      expect(await terminate(await admin(), schema)).toBeGreaterThan(0);
      await expect.poll(() => warnings.length).toBeGreaterThan(0);
      expect(warnings[0]).toMatch(/PostgreSQL dropped an idle pooled connection: .*terminating connection/);
      await expect(store.getJob('j-1')).resolves.toBeUndefined();
    });

    /** Resolves once a session of that application name waits on a lock. */
    async function waitingOnLock(a: pg.Client, applicationName: string): Promise<void> {
      const sql = `select 1 from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`;
      await expect.poll(async () => (await a.query(sql, [applicationName])).rowCount).toBe(1);
    }

    /** The error a call ends with (an Error saying so if it ends well), caught at once. */
    const failureOf = (call: Promise<unknown>) =>
      call.then(
        () => new Error('it answered'),
        (e: unknown) => e as Error,
      );

    it('survives PostgreSQL ending a connection in use: the call using it fails, the store goes on', async () => {
      const schema = name();
      const store = await open({ schema, applicationName: schema, onWarning: () => {} });
      const a = await admin();
      await a.query('begin');
      await a.query(`lock table ${schema}.jobs in access exclusive mode`);
      const blocked = failureOf(store.getJob('j-1'));
      await waitingOnLock(a, schema);
      expect(await terminate(a, schema)).toBeGreaterThan(0);
      expect((await blocked).message).toMatch(/terminating connection due to administrator command/);
      await a.query('rollback');
      await expect(store.getJob('j-1')).resolves.toBeUndefined();
    });

    it('survives the network dropping a connection in use: the call using it fails, the store goes on', async () => {
      const schema = name();
      const relay = await cuttableRelay(new URL(url as string));
      const store = await open({ schema, applicationName: schema, onWarning: () => {} }, relay.url);
      const a = await admin();
      await a.query('begin');
      await a.query(`lock table ${schema}.jobs in access exclusive mode`);
      const blocked = failureOf(store.getJob('j-1'));
      await waitingOnLock(a, schema);
      relay.cut();
      expect((await blocked).message).toMatch(/Connection terminated unexpectedly/);
      relay.heal();
      await a.query('rollback');
      await expect(store.getJob('j-1')).resolves.toBeUndefined();
    });

    it('a leader whose connection is terminated says it lost the leadership; a standby takes over; it leads again later', async () => {
      const schema = name();
      const a = await open({ schema, applicationName: `${schema}_a` });
      const b = await open({ schema, applicationName: `${schema}_b` });
      expect(await a.holdLeadership()).toBe(true);
      expect(await a.holdLeadership()).toBe(true);
      expect(await b.holdLeadership()).toBe(false);

      expect(await terminate(await admin(), `${schema}_a leader`)).toBe(1);
      await expect(a.holdLeadership()).rejects.toThrow(
        /lost the leadership: its PostgreSQL connection broke \(terminating connection due to administrator command\)/,
      );
      expect(await b.holdLeadership()).toBe(true);
      expect(await a.holdLeadership()).toBe(false);

      await b.close();
      stores.splice(stores.indexOf(b), 1);
      expect(await a.holdLeadership()).toBe(true);
    });

    it('while PostgreSQL cannot be reached the election fails loudly and fast; once it can, the store leads again', async () => {
      const schema = name();
      const relay = await cuttableRelay(new URL(url as string));
      const warnings: string[] = [];
      const store = await open({ schema, connectTimeoutMs: 500, onWarning: (m) => warnings.push(m) }, relay.url);
      expect(await store.holdLeadership()).toBe(true);

      relay.cut();
      await expect(store.holdLeadership()).rejects.toThrow(/lost the leadership: its PostgreSQL connection broke/);
      const t0 = performance.now();
      await expect(store.holdLeadership()).rejects.toThrow(
        /leader election failed: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\w+ \(connect timeout 500 ms\)/,
      );
      expect(performance.now() - t0).toBeLessThan(2000);

      relay.heal();
      expect(await store.holdLeadership()).toBe(true);
      expect(warnings).toContain('PostgreSQL dropped an idle pooled connection');
    });

    it('a leader connection that stops answering (a peer gone silent) is given up after the connect timeout', async () => {
      const schema = name();
      // A relay that can freeze: it keeps the connections open but passes nothing on.
      const target = new URL(url as string);
      let frozen = false;
      const port = await listen(
        createServer((inbound) => {
          const outbound = connect(Number(target.port || 5432), target.hostname);
          inbound.on('data', (d) => {
            if (!frozen) outbound.write(d);
          });
          outbound.on('data', (d) => {
            if (!frozen) inbound.write(d);
          });
          inbound.on('error', () => outbound.destroy());
          outbound.on('error', () => inbound.destroy());
          inbound.on('close', () => outbound.destroy());
          outbound.on('close', () => inbound.destroy());
          sockets.add(outbound);
        }),
      );
      const store = await open({ schema, connectTimeoutMs: 400 }, urlAt(port));
      expect(await store.holdLeadership()).toBe(true);
      frozen = true;
      const t0 = performance.now();
      try {
        await expect(store.holdLeadership()).rejects.toThrow(/lost the leadership: .*Query read timeout/);
        expect(performance.now() - t0).toBeLessThan(2000);
      } finally {
        frozen = false; // the idle pooled connections sent nothing meanwhile: they work again
      }
    });
  },
);
