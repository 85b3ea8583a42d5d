import { SuanliError } from '@suanli/service';
import type { Command } from 'commander';
import { durationS } from '../duration.ts';
import { grantsTable, tokensTable } from '../format-access.ts';
import type { CliContext } from './context.ts';

/** `suanli tokens …` and `suanli grants …`: who may call, and who may use whose models and data. */
export function registerAccessCommands(program: Command, ctx: CliContext): void {
  const { client, print } = ctx;
  const tokens = program.command('tokens').description('API tokens: issue, list, revoke');
  tokens
    .command('create')
    .description("issue a token (shown once): operators issue any, tenant admins their own tenant's")
    .requiredOption('--name <name>', 'who or what it is for')
    .requiredOption(
      '--role <role>',
      'operator | tenant-admin | tenant-member | auditor | metrics | site-operator | grid',
    )
    .option('--tenant <tenant>', 'the tenant of a tenant-admin or tenant-member')
    .option('--operator <operator>', 'the operator (of the network file) a site-operator speaks for')
    .option('--expires-in <duration>', 'stop working after this long: 90d, 12h, 30m (default: never)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        name: string;
        role: string;
        tenant?: string;
        operator?: string;
        expiresIn?: string;
        json?: boolean;
      }) => {
        const t = await client().createToken({
          name: o.name,
          role: o.role,
          ...(o.tenant ? { tenant: o.tenant } : {}),
          ...(o.operator ? { operator: o.operator } : {}),
          ...(o.expiresIn !== undefined ? { expiresInS: durationS(o.expiresIn, '--expires-in') } : {}),
        });
        const until = t.expiresAtS !== undefined ? `, until ${new Date(t.expiresAtS * 1000).toISOString()}` : '';
        print(
          t,
          !!o.json,
          () =>
            `${t.token}\n(${t.role}${t.tenant ? ` of ${t.tenant}` : ''}${t.operator ? ` of ${t.operator}` : ''} ${t.name}, id ${t.id}${until}: shown once, only its hash is kept)`,
        );
      },
    );
  tokens
    .command('list')
    .description("tokens: every one for operators and auditors, the tenant's for tenant admins (never the tokens)")
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await client().tokens();
      print(list, !!o.json, () => tokensTable(list));
    });
  tokens
    .command('revoke <id>')
    .description('revoke a token by its id (suanli tokens list): refused at once by every server')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await client().revokeToken(id);
      print(t, !!o.json, () => `revoked ${t.id} (${t.role}${t.tenant ? ` of ${t.tenant}` : ''} ${t.name})`);
    });

  const grants = program
    .command('grants')
    .description("let another tenant use your tenant's models and catalog data sets (rule ACCESS-01)");
  grants
    .command('create')
    .description('grant one model or data set to a tenant (tenant admins of the owner, or operators)')
    .option('--model <id>', 'a model of the registry')
    .option('--dataset <name>', 'a data set of the catalog')
    .requiredOption('--to <tenant>', 'the tenant that may use it')
    .option('--json', 'print JSON')
    .action(async (o: { model?: string; dataset?: string; to: string; json?: boolean }) => {
      if ((o.model === undefined) === (o.dataset === undefined)) {
        throw new SuanliError('INVALID_FIELD', 'give either --model or --dataset');
      }
      const req =
        o.model !== undefined
          ? { kind: 'model' as const, resource: o.model, to: o.to }
          : { kind: 'dataset' as const, resource: o.dataset ?? '', to: o.to };
      const g = await client().createGrant(req);
      print(g, !!o.json, () => `${g.id}: ${g.grantee} may use ${g.kind} ${g.resource} of ${g.owner}`);
    });
  grants
    .command('list')
    .description('grants given or received (all of them for operators and auditors)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await client().grants();
      print(list, !!o.json, () => grantsTable(list));
    });
  grants
    .command('revoke <id>')
    .description("revoke a grant: the grantee's new jobs that use it are refused")
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const g = await client().revokeGrant(id);
      print(g, !!o.json, () => `revoked ${g.id}: ${g.grantee} may no longer use ${g.kind} ${g.resource}`);
    });
}
