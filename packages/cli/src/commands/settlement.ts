import { writeFileSync } from 'node:fs';
import { periodOf } from '@suanli/engine';
import { billsCsv, billsHtml, SuanliError, statementsHtml } from '@suanli/service';
import type { Command } from 'commander';
import {
  billLinesText,
  billsTable,
  pricesTable,
  programmesTable,
  sectorsTable,
  statementsTable,
  verifyText,
  vouchersTable,
} from '../format-settlement.ts';
import type { CliContext } from './context.ts';

/** The current month in Beijing time, as bills name periods. */
const thisPeriod = (): string => periodOf(Date.now() / 1000);

/** Prices, bills, statements, programmes and vouchers. */
export function registerSettlementCommands(program: Command, ctx: CliContext): void {
  const { client, print, io, fen: fenOf } = ctx;
  const prices = program.command('prices').description('price books: every version of every pool and link price');
  prices
    .command('list', { isDefault: true })
    .description('the versions in force and to come')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const p = await client().prices();
      print(p, !!o.json, () => pricesTable(p));
    });
  prices
    .command('set <pool>')
    .description('a new price of a pool, from now or --from (operators); earlier versions are kept')
    .requiredOption('--yuan <amount>', 'price of an accelerator-hour in yuan', fenOf('--yuan'))
    .option('--from <time>', 'ISO time it applies from (default: now)')
    .option('--json', 'print JSON')
    .action(async (pool: string, o: { yuan: number; from?: string; json?: boolean }) => {
      const fromS = o.from === undefined ? undefined : Date.parse(o.from) / 1000;
      if (fromS !== undefined && !Number.isFinite(fromS)) {
        throw new SuanliError('INVALID_FIELD', `--from ${o.from} is not a time like 2026-12-01T00:00:00+08:00`);
      }
      const v = await client().setPrice({
        poolId: pool,
        fenPerAcceleratorHour: o.yuan,
        ...(fromS !== undefined ? { fromS } : {}),
      });
      print(v, !!o.json, () => `${pool}: version ${v.version} from ${new Date(v.fromS * 1000).toISOString()}`);
    });

  const bills = program
    .command('bills')
    .description('bills per tenant and period, a line per metered job attempt')
    .option('--tenant <tenant>', 'one tenant (a tenant token sees only its own)')
    .option('--period <month>', 'a month, YYYY-MM (Beijing time)')
    .option('--lines', 'show every line item')
    .option('--csv', 'print CSV, a row per line item, money in fen')
    .option('--html <file>', 'write a printable statement (HTML that prints to PDF)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        tenant?: string;
        period?: string;
        lines?: boolean;
        csv?: boolean;
        html?: string;
        json?: boolean;
      }) => {
        const b = await client().bills({
          ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
          ...(o.period !== undefined ? { period: o.period } : {}),
        });
        if (o.html !== undefined) {
          writeFileSync(o.html, billsHtml(b, 'Suanli'));
          io.stdout(`wrote ${o.html} (${b.length} bills)\n`);
          return;
        }
        if (o.csv) {
          io.stdout(billsCsv(b));
          return;
        }
        print(b, !!o.json, () => (o.lines ? billLinesText(b) : billsTable(b)));
      },
    );
  bills
    .command('verify')
    .description("prove a period's settlement: audit chain, meter records rebuilt from the log, totals to the fen")
    .option('--period <month>', 'a month, YYYY-MM (default: this month)')
    .option('--json', 'print JSON')
    .action(async (o: { period?: string; json?: boolean }) => {
      const c = await client().verifyBills(o.period ?? thisPeriod());
      print(c, !!o.json, () => verifyText(c));
      if (!c.ok) throw new SuanliError('AUDIT_CORRUPT', `the settlement of ${c.period} does not verify`);
    });

  program
    .command('statements')
    .description("site operators' statements: revenue and energy per pool (operators, auditors)")
    .option('--site <site>', 'one site')
    .option('--period <month>', 'a month, YYYY-MM')
    .option('--html <file>', 'write a printable statement (HTML that prints to PDF)')
    .option('--json', 'print JSON')
    .action(async (o: { site?: string; period?: string; html?: string; json?: boolean }) => {
      const s = await client().statements({
        ...(o.site !== undefined ? { site: o.site } : {}),
        ...(o.period !== undefined ? { period: o.period } : {}),
      });
      if (o.html !== undefined) {
        writeFileSync(o.html, statementsHtml(s, 'Suanli'));
        io.stdout(`wrote ${o.html} (${s.length} statements)\n`);
        return;
      }
      print(s, !!o.json, () => statementsTable(s));
    });

  program
    .command('sectors')
    .description('per sector for a month: demand, accelerator-hours used, spend, vouchers redeemed')
    .option('--period <month>', 'a month, YYYY-MM (default: this month)')
    .option('--json', 'print JSON')
    .action(async (o: { period?: string; json?: boolean }) => {
      const r = await client().sectors(o.period ?? thisPeriod());
      print(r, !!o.json, () => sectorsTable(r));
    });

  program
    .command('programmes')
    .description('sector programmes (AI+): sectors, kinds, share boost, voucher budget')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const p = await client().programmes();
      print(p, !!o.json, () => programmesTable(p));
    });

  const vouchers = program.command('vouchers').description('compute vouchers of sector programmes');
  vouchers
    .command('list', { isDefault: true })
    .description('vouchers and their balances (a tenant token sees its own)')
    .option('--tenant <tenant>', 'one tenant')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }) => {
      const v = await client().vouchers(o.tenant !== undefined ? { tenant: o.tenant } : {});
      print(v, !!o.json, () => vouchersTable(v));
    });
  vouchers
    .command('issue <programme> <tenant>')
    .description("issue a voucher from a programme's budget (operators)")
    .requiredOption('--yuan <amount>', 'its value in yuan', fenOf('--yuan'))
    .option('--json', 'print JSON')
    .action(async (programmeId: string, tenant: string, o: { yuan: number; json?: boolean }) => {
      const v = await client().issueVoucher({ programmeId, tenant, amountFen: o.yuan });
      print(v, !!o.json, () => `${v.id}: ¥${(v.amountFen / 100).toFixed(2)} of ${v.programme} for ${v.tenant}`);
    });
  vouchers
    .command('redeem <voucher>')
    .description("pay settled lines of the tenant's bill with a voucher, all or nothing")
    .requiredOption('--period <month>', 'the bill, YYYY-MM')
    .option('--line <meterId...>', 'only these bill lines (default: every unpaid line)')
    .option('--yuan <amount>', 'at most this much (default: what the balance covers)', fenOf('--yuan'))
    .option('--json', 'print JSON')
    .action(async (id: string, o: { period: string; line?: string[]; yuan?: number; json?: boolean }) => {
      const v = await client().redeemVoucher(id, {
        period: o.period,
        ...(o.line ? { lines: o.line } : {}),
        ...(o.yuan !== undefined ? { amountFen: o.yuan } : {}),
      });
      print(
        v,
        !!o.json,
        () => `${v.id}: ¥${(v.redeemedFen / 100).toFixed(2)} redeemed, ¥${(v.balanceFen / 100).toFixed(2)} left`,
      );
    });
  vouchers
    .command('write-off <voucher>')
    .description('write off what is left of a voucher (operators)')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason: string; json?: boolean }) => {
      const v = await client().writeOffVoucher(id, o.reason);
      print(v, !!o.json, () => `${v.id}: ¥${(v.writtenOffFen / 100).toFixed(2)} written off`);
    });
}
