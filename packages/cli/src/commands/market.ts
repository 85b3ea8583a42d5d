import { SuanliError, yuan } from '@suanli/service';
import type { Command } from 'commander';
import { durationS } from '../duration.ts';
import { contractsTable, offersTable } from '../format-settlement.ts';
import type { CliContext } from './context.ts';

/** Offers, contracts and unified identifiers. */
export function registerMarketCommands(program: Command, ctx: CliContext): void {
  const { client, print, int: whole, fen } = ctx;
  const offers = program.command('offers').description('offers of accelerators: spot and reserved');
  offers
    .command('list', { isDefault: true })
    .description('every offer with its window, price, SLA and what is sold')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await client().offers();
      print(list, !!o.json, () => offersTable(list));
    });
  offers
    .command('publish <pool>')
    .description("offer a pool's accelerators for a window at a price (operators)")
    .requiredOption('--kind <kind>', 'spot (preemptible, no SLA) or reserved (sold as contracts)')
    .requiredOption('--count <n>', 'accelerators offered', whole('--count'))
    .requiredOption('--yuan <amount>', 'price of an accelerator-hour in yuan', fen('--yuan'))
    .requiredOption('--for <duration>', 'how long the window lasts from now, like 30d or 12h')
    .option('--start-within <duration>', 'reserved: a job on a contract starts within this, like 15m')
    .option('--penalty <yuan>', 'reserved: credited per job that starts later', fen('--penalty'))
    .option('--json', 'print JSON')
    .action(
      async (
        pool: string,
        o: {
          kind: string;
          count: number;
          yuan: number;
          for: string;
          startWithin?: string;
          penalty?: number;
          json?: boolean;
        },
      ) => {
        if (o.kind !== 'spot' && o.kind !== 'reserved') {
          throw new SuanliError('INVALID_FIELD', `--kind must be spot or reserved, not ${o.kind}`, { field: '--kind' });
        }
        const nowS = Math.floor(Date.now() / 1000);
        const offer = await client().publishOffer({
          kind: o.kind,
          poolId: pool,
          count: o.count,
          toS: nowS + durationS(o.for, '--for'),
          fenPerAcceleratorHour: o.yuan,
          ...(o.startWithin !== undefined
            ? { sla: { startWithinS: durationS(o.startWithin, '--start-within'), penaltyFen: o.penalty ?? 0 } }
            : {}),
        });
        print(
          offer,
          !!o.json,
          () =>
            `${offer.id} (${offer.uid}): ${offer.kind} ${offer.count} × ${offer.poolId} at ¥${yuan(offer.fenPerAcceleratorHour)}/h`,
        );
      },
    );
  offers
    .command('withdraw <offer>')
    .description('withdraw an offer (operators); contracts made from it stand')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const offer = await client().withdrawOffer(id);
      print(offer, !!o.json, () => `${offer.id} withdrawn`);
    });

  const contracts = program.command('contracts').description('contracts bought from reserved offers');
  contracts
    .command('list', { isDefault: true })
    .description('contracts (a tenant token sees its own)')
    .option('--tenant <tenant>', 'one tenant')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }) => {
      const list = await client().contracts(o.tenant !== undefined ? { tenant: o.tenant } : {});
      print(list, !!o.json, () => contractsTable(list));
    });
  contracts
    .command('buy <offer>')
    .description('buy accelerators of a reserved offer; jobs name it with market: { contract: ID }')
    .requiredOption('--count <n>', 'accelerators', whole('--count'))
    .option('--tenant <tenant>', 'the tenant it is for (an operator must name one)')
    .option('--json', 'print JSON')
    .action(async (offerId: string, o: { count: number; tenant?: string; json?: boolean }) => {
      const c = await client().buyContract({
        offerId,
        count: o.count,
        ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
      });
      print(
        c,
        !!o.json,
        () => `${c.id} (${c.uid}): ${c.count} × ${c.poolId} for ${c.tenant} at ¥${yuan(c.fenPerAcceleratorHour)}/h`,
      );
    });

  program
    .command('id <uid>')
    .description(
      'what a unified identifier names: sl:NETWORK:KIND:ID (site, pool, operator, tenant, programme, offer, contract, voucher)',
    )
    .action(async (uid: string) => {
      const r = await client().resolveId(uid);
      print(r, true, () => '');
    });
}
