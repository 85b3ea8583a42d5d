import { formatErrorLine, isSuanliError, SuanliError } from '@suanli/service';
import type { Command } from 'commander';
import { listTrust, resetTrust } from '../audit-trust.ts';
import { proveEntry, verifyOfflineLog, verifyRemoteLog } from '../audit-verify.ts';
import { witnessOnce } from '../audit-witness.ts';
import { ApiClient } from '../client.ts';
import { durationS } from '../duration.ts';
import { apiToken, type CliContext, DEFAULT_URL } from './context.ts';

/** A check that found the audit log broken: exit 1, after the report was printed. */
export class AuditBroken extends Error {}

/** `suanli audit …`: verify the log (online or offline), prove an entry, witness heads, re-pin a log. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const { client, print, io } = ctx;
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description(
      'check the whole audit log here: signed tree head (pinned key), hash chain, Merkle root, and that it extends the head pinned last time and every head a witness saw',
    )
    .option('--data <dir>', 'check a data folder offline (its suanli.db and log key) instead of the server')
    .option('--witness <fileOrUrl>', 'a witness file (suanli audit witness), or an http(s) URL serving one')
    .option('--unpinned', 'with --data: the folder is none of the logs pinned here (else a key no pin knows is BROKEN)')
    .option('--json', 'print JSON')
    .action(async (o: { data?: string; witness?: string; unpinned?: boolean; json?: boolean }) => {
      const options = o.witness ? { witness: o.witness } : {};
      const v = o.data
        ? await verifyOfflineLog(o.data, io.env, { ...options, ...(o.unpinned ? { unpinned: true } : {}) })
        : await verifyRemoteLog(client(), io.env, options);
      print(v, !!o.json, () => v.lines.join('\n'));
      if (!v.ok) throw new AuditBroken();
    });
  audit
    .command('proof <seq>')
    .description('show an audit entry with its Merkle inclusion proof, checked here against the signed head')
    .option('--json', 'print JSON')
    .action(async (seq: string, o: { json?: boolean }) => {
      const n = Number(seq);
      if (!Number.isInteger(n) || n < 1)
        throw new SuanliError('INVALID_FIELD', `seq must be a whole number ≥ 1, not ${seq}`);
      const r = await proveEntry(client(), n, io.env);
      print(r, !!o.json, () => [...r.lines, ...(r.entry ? [JSON.stringify(r.entry, null, 2)] : [])].join('\n'));
      if (!r.ok) throw new AuditBroken();
    });
  audit
    .command('witness')
    .description(
      "poll the server's signed tree head, check it extends the last one witnessed (consistency proof), and keep it in a witness file to publish away from the data folder",
    )
    .option('--out <file>', 'the witness file (JSON, the latest 500 heads)', 'audit-witness.json')
    .option('--every <duration>', 'poll again every DURATION (30s, 5m, 1h) until stopped or BROKEN')
    .option('--count <n>', 'stop after N polls (default: 1, or no end with --every)', ctx.int('--count'))
    .option('--json', 'print JSON')
    .action(async (o: { out: string; every?: string; count?: number; json?: boolean }) => {
      const everyMs = o.every !== undefined ? durationS(o.every, '--every', { maxS: 7 * 86_400 }) * 1000 : undefined;
      const polls = o.count ?? (everyMs ? Number.POSITIVE_INFINITY : 1);
      for (let i = 0; i < polls; i++) {
        if (i > 0) await new Promise((ok) => setTimeout(ok, everyMs ?? 0));
        let r: Awaited<ReturnType<typeof witnessOnce>>;
        try {
          r = await witnessOnce(client(), o.out, Date.now() / 1000);
        } catch (e) {
          // A server that is down for a poll is not a broken log: say so and poll again.
          if (everyMs === undefined || !(isSuanliError(e) && e.code === 'SERVER_UNREACHABLE')) throw e;
          io.stderr(`suanli: ${formatErrorLine(e.code, e.message, e.location)}\n`);
          continue;
        }
        print(r, !!o.json, () => r.lines.join('\n'));
        if (!r.ok) throw new AuditBroken();
      }
    });
  audit
    .command('trust')
    .description(
      'the logs pinned on this machine; --reset trusts the key and head a log serves now (after its data folder was replaced), kept in the pins and the trust log',
    )
    .option('--reset [url]', 're-pin the log at URL (default SUANLI_URL)')
    .option('--json', 'print JSON')
    .action(async (o: { reset?: string | true; json?: boolean }) => {
      if (o.reset === undefined) {
        const l = listTrust(io.env);
        print(l.pins, !!o.json, () => l.lines.join('\n'));
        return;
      }
      const url = typeof o.reset === 'string' ? o.reset : (io.env['SUANLI_URL'] ?? DEFAULT_URL);
      const r = await resetTrust(new ApiClient(url, apiToken(io.env)), io.env, Date.now() / 1000);
      print(r, !!o.json, () => r.lines.join('\n'));
    });
}
