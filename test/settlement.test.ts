import { type Principal, parseNetwork, type SuanliError, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

/** One site run by a company related to `farm` (not to `grow`); two programmes. */
const NETWORK = `name: market
sites:
  - id: only
    name: Only site
    province: Ningxia
    operator: op-co
    lat: 37.5
    lon: 105.2
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: [0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    pools:
      - { id: only-h100, accelerator: H100, count: 32, priceCnyPerAcceleratorHour: 12 }
  - id: other
    name: Dear site nearby
    province: Ningxia
    operator: far-co
    lat: 37.6
    lon: 105.3
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: [0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    pools:
      - { id: other-h100, accelerator: H100, count: 32, priceCnyPerAcceleratorHour: 20 }
tenants:
  - { id: grow, name: Grow, sector: agriculture, legalEntity: 91000000GROW000001 }
  - { id: farm, name: Farm, sector: agriculture, legalEntity: 91000000FARM000002 }
  - { id: team, name: Team, sector: internet, legalEntity: 91000000TEAM000003 }
operators:
  - { id: op-co, name: Op Co, legalEntity: 91000000OPCO000004, relatedEntities: [91000000FARM000002] }
  - { id: far-co, name: Far Co, legalEntity: 91000000FARC000005 }
programmes:
  - { id: ai-agri, name: AI+ agriculture, sectors: [agriculture], budgetCny: 110, validFrom: "2026-01-01", validTo: "2027-12-31" }
`;

const spec = (tenant: string, kind = 'train') =>
  `name: ${tenant}-run\nkind: ${kind}\ntenant: ${tenant}\nresources:\n  accelerators: { H100: 8 }\ndurationS: 3600\n`;
const member = (tenant: string): Principal => ({ name: `${tenant}-token`, role: 'tenant-member', tenant });
const admin = (tenant: string): Principal => ({ name: `${tenant}-admin`, role: 'tenant-admin', tenant });
const refused = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => ({ code: (e as SuanliError).code, message: (e as SuanliError).message }),
  );

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

async function runAll(): Promise<string> {
  h = await harness({ network: parseNetwork(NETWORK, 'market.yaml'), speedup: 60, startDelayS: 0 });
  for (const t of ['grow', 'farm', 'team']) await h.service.submit({ text: spec(t) }, SYSTEM);
  for (let i = 0; i < 8; i++) {
    h.clock.advance(15);
    await h.cycle();
  }
  const bills = await h.service.settlement.bills({}, SYSTEM);
  return bills[0]?.period ?? '';
}

describe('metering and settlement in the live service (real SQLite store, sim backend at 60×)', () => {
  it('bills each tenant for what ran, shows each tenant only its own bills, and proves the period', async () => {
    const period = await runAll();
    const bills = await h.service.settlement.bills({ period }, SYSTEM);
    expect(bills.map((b) => [b.tenant, b.lines.length, b.acceleratorHours])).toEqual([
      ['farm', 1, 8],
      ['grow', 1, 8],
      ['team', 1, 8],
    ]);
    // 8 accelerators × an hour at ¥12; energy at ¥0.4/kWh.
    expect(bills[0]?.computeFen).toBe(9600);
    expect(bills[0]?.energyFen).toBeGreaterThan(0);
    expect(bills[0]?.lines[0]).toMatchObject({ outcome: 'succeeded', siteId: 'only', poolId: 'only-h100' });

    expect((await h.service.settlement.bills({}, member('grow'))).map((b) => b.tenant)).toEqual(['grow']);
    expect(await refused(h.service.settlement.bills({ tenant: 'team' }, member('grow')))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(h.service.settlement.statements({}, member('grow')))).toMatchObject({ code: 'FORBIDDEN' });

    const [statement] = await h.service.settlement.statements({ siteId: 'only', period }, SYSTEM);
    expect(statement?.revenueFen).toBe(bills.reduce((n, b) => n + b.chargeFen, 0));
    const check = await h.service.settlement.verify(period, { name: 'audit', role: 'auditor' });
    expect(check).toMatchObject({ ok: true, chainOk: true, meterRecords: 3, diffFen: 0, statementDiffFen: 0 });
    expect(check.rebuiltDigest).toBe(check.meterDigest);
    expect(await refused(h.service.settlement.verify('2026-13', SYSTEM))).toMatchObject({ code: 'INVALID_FIELD' });
  });

  it('versions prices from now on and refuses a version in the past or overlapping one', async () => {
    await runAll();
    const nowS = h.clock.nowS();
    const v1 = await h.service.settlement.setPrice({ poolId: 'only-h100', fenPerAcceleratorHour: 1500 }, SYSTEM);
    expect(v1).toMatchObject({ poolId: 'only-h100', version: 1, fromS: nowS, fenPerAcceleratorHour: 1500 });
    expect(
      await refused(
        h.service.settlement.setPrice({ poolId: 'only-h100', fromS: nowS, fenPerAcceleratorHour: 1 }, SYSTEM),
      ),
    ).toMatchObject({ code: 'PRICE_CONFLICT' });
    expect(
      await refused(
        h.service.settlement.setPrice({ poolId: 'only-h100', fromS: nowS - 60, fenPerAcceleratorHour: 1 }, SYSTEM),
      ),
    ).toMatchObject({ code: 'PRICE_CONFLICT' });
    expect(
      await refused(h.service.settlement.setPrice({ poolId: 'only-h100', fenPerAcceleratorHour: -5 }, SYSTEM)),
    ).toMatchObject({ code: 'INVALID_FIELD' });
    expect(
      await refused(h.service.settlement.setPrice({ poolId: 'only-h100', fenPerAcceleratorHour: 5 }, member('grow'))),
    ).toMatchObject({ code: 'FORBIDDEN' });
    // The next run is billed at the new price.
    await h.service.submit({ text: spec('team') }, SYSTEM);
    for (let i = 0; i < 6; i++) {
      h.clock.advance(15);
      await h.cycle();
    }
    const lines = (await h.service.settlement.bills({ tenant: 'team' }, SYSTEM)).flatMap((b) => b.lines);
    expect(lines.map((l) => l.computeFen).sort((a, b) => a - b)).toEqual([9600, 12_000]);
    const audit = (await h.service.listAudit(1, 5000, SYSTEM)).filter((e) => e.kind === 'price.set');
    expect(audit).toHaveLength(1);
  });

  it('issues vouchers within the budget to eligible sectors and redeems them by the rules, all or nothing', async () => {
    const period = await runAll();
    const s = h.service.vouchers;
    const issue = (tenant: string, amountFen: number) => s.issue({ programmeId: 'ai-agri', tenant, amountFen }, SYSTEM);
    expect(await refused(issue('team', 1000))).toMatchObject({ code: 'VOUCHER_DENIED', message: /^V01: tenant team/ });
    expect(await refused(issue('grow', 11_001))).toMatchObject({ code: 'VOUCHER_DENIED', message: /^V03: / });
    expect(await refused(s.issue({ programmeId: 'nope', tenant: 'grow', amountFen: 1 }, SYSTEM))).toMatchObject({
      code: 'PROGRAMME_NOT_FOUND',
    });
    const forGrow = await issue('grow', 5000);
    const forFarm = await issue('farm', 5000);
    const again = await issue('grow', 1000);
    expect(await refused(issue('grow', 1))).toMatchObject({ message: /^V03: programme ai-agri has 0 fen/ });

    // Another tenant's voucher does not exist for it; a provider related to the beneficiary is refused.
    expect(await refused(s.redeem(forGrow.id, { period }, admin('farm')))).toMatchObject({ code: 'VOUCHER_NOT_FOUND' });
    const before = await h.store.latestAuditSeq();
    expect(await refused(s.redeem(forFarm.id, { period }, admin('farm')))).toMatchObject({
      code: 'VOUCHER_DENIED',
      message: /^V07: .* a related party of farm/,
    });
    expect(await refused(s.redeem(forGrow.id, { period }, member('grow')))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(s.redeem(forGrow.id, { period, amountFen: 5001 }, admin('grow')))).toMatchObject({
      message: /^V09: /,
    });
    expect(await h.store.latestAuditSeq()).toBe(before);

    const redeemed = await s.redeem(forGrow.id, { period }, admin('grow'));
    expect(redeemed).toMatchObject({ redeemedFen: 5000, balanceFen: 0 });
    const [bill] = await h.service.settlement.bills({ tenant: 'grow', period }, SYSTEM);
    expect(bill).toMatchObject({ voucherFen: 5000, dueFen: (bill?.chargeFen ?? 0) - 5000 });
    expect(await refused(s.redeem(again.id, { period, lines: ['x#1', 'x#1'] }, admin('grow')))).toMatchObject({
      code: 'INVALID_FIELD',
      message: 'a bill line is named twice',
    });
    // The same line cannot be paid twice, even by another voucher.
    const line = bill?.lines[0]?.meterId ?? '';
    expect(await refused(s.redeem(again.id, { period, lines: [line] }, admin('grow')))).toMatchObject({
      message: /^V08: /,
    });
    expect(await refused(s.redeem(again.id, { period }, admin('grow')))).toMatchObject({ code: 'INVALID_FIELD' });
    expect(await s.writeOff(again.id, 'programme closed', SYSTEM)).toMatchObject({
      writtenOffFen: 1000,
      balanceFen: 0,
    });

    const programmes = await s.programmes(SYSTEM);
    expect(programmes[0]).toMatchObject({ issuedFen: 11_000, budgetLeftFen: 0, redeemedFen: 5000, vouchers: 3 });
    expect((await s.vouchers({}, member('grow'))).map((v) => v.id).sort()).toEqual([forGrow.id, again.id].sort());
    const kinds = (await h.service.listAudit(1, 5000, SYSTEM))
      .map((e) => e.kind)
      .filter((k) => k.startsWith('voucher.'));
    expect(kinds).toEqual([
      'voucher.issued',
      'voucher.issued',
      'voucher.issued',
      'voucher.redeemed',
      'voucher.written-off',
    ]);
    expect((await h.service.settlement.verify(period, SYSTEM)).ok).toBe(true);
    const sectors = await h.service.settlement.sectors(period, { name: 'officer', role: 'auditor' });
    expect(sectors.find((x) => x.sector === 'agriculture')).toMatchObject({
      tenants: 2,
      jobsSubmitted: 2,
      askedAcceleratorHours: 16,
      usedAcceleratorHours: 16,
      voucherFen: 5000,
      programmes: ['ai-agri'],
    });
    expect(await refused(h.service.settlement.sectors(period, member('grow')))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('runs spot jobs on offered pools at the spot price, contract jobs on their pool with the SLA credited when missed', async () => {
    const period = await runAll();
    const m = h.service.market;
    const spot = `${spec('team')}market: spot\n`;
    expect(await refused(h.service.submit({ text: spot }, SYSTEM))).toMatchObject({ code: 'NO_FEASIBLE_SITE' });
    const toS = h.clock.nowS() + 30 * 86_400;
    const offer = await m.publish(
      { kind: 'spot', poolId: 'other-h100', count: 16, toS, fenPerAcceleratorHour: 600 },
      SYSTEM,
    );
    expect(offer).toMatchObject({ uid: `sl:market:offer:${offer.id}`, open: true, siteId: 'other' });
    expect(
      await refused(m.publish({ kind: 'spot', poolId: 'nope', count: 1, toS, fenPerAcceleratorHour: 1 }, SYSTEM)),
    ).toMatchObject({ code: 'INVALID_FIELD' });
    const sj = await h.service.submit({ text: spot }, SYSTEM);
    expect(sj.spec).toMatchObject({ preemptible: true, market: { kind: 'spot', poolPrices: { 'other-h100': 6 } } });

    const reserved = await m.publish(
      {
        kind: 'reserved',
        poolId: 'only-h100',
        count: 16,
        toS,
        fenPerAcceleratorHour: 900,
        sla: { startWithinS: 5, penaltyFen: 1000 },
      },
      SYSTEM,
    );
    expect(await refused(m.buy({ offerId: reserved.id, count: 17 }, admin('grow')))).toMatchObject({
      code: 'INVALID_FIELD',
    });
    expect(await refused(m.buy({ offerId: reserved.id, count: 8, tenant: 'grow' }, admin('farm')))).toMatchObject({
      code: 'FORBIDDEN',
    });
    const contract = await m.buy({ offerId: reserved.id, count: 8 }, admin('grow'));
    expect(contract).toMatchObject({ tenant: 'grow', poolId: 'only-h100', count: 8, fenPerAcceleratorHour: 900 });
    const onContract = (tenant: string) => `${spec(tenant)}market: { contract: ${contract.id} }\n`;
    expect(await refused(h.service.submit({ text: onContract('farm') }, SYSTEM))).toMatchObject({
      code: 'INVALID_FIELD',
    });
    const cj = await h.service.submit({ text: onContract('grow') }, SYSTEM);
    for (let i = 0; i < 8; i++) {
      h.clock.advance(15);
      await h.cycle();
    }
    const lines = (await h.service.settlement.bills({ period }, SYSTEM)).flatMap((b) => b.lines);
    expect(lines.find((l) => l.jobId === sj.id)).toMatchObject({
      poolId: 'other-h100',
      computeFen: 4800,
      creditFen: 0,
    });
    // Placed at the next cycle, 15 s after submission: the contract promised 5 s.
    const credited = lines.find((l) => l.jobId === cj.id);
    expect(credited).toMatchObject({ poolId: 'only-h100', computeFen: 7200, creditFen: 1000 });
    expect(cj.spec.deadlineS).toBe(contract.toS);
    // A voucher pays what is left after the credit, never the credit again.
    const v = await h.service.vouchers.issue({ programmeId: 'ai-agri', tenant: 'grow', amountFen: 11_000 }, SYSTEM);
    const paid = await h.service.vouchers.redeem(v.id, { period, lines: [credited?.meterId ?? ''] }, admin('grow'));
    expect(paid.redeemedFen).toBe((credited?.chargeFen ?? 0) - 1000);
    const [only] = await h.service.settlement.statements({ siteId: 'only', period }, SYSTEM);
    expect(only).toMatchObject({ penaltiesFen: 1000, netFen: (only?.revenueFen ?? 0) - 1000 });
    expect((await h.service.settlement.verify(period, SYSTEM)).ok).toBe(true);

    expect(await m.resolveUid('sl:market:pool:only-h100', member('grow'))).toMatchObject({
      kind: 'pool',
      object: { count: 32 },
    });
    expect(await m.resolveUid(contract.uid, member('grow'))).toMatchObject({ kind: 'contract', id: contract.id });
    expect(await refused(m.resolveUid(contract.uid, member('farm')))).toMatchObject({ code: 'ID_NOT_FOUND' });
    expect(await refused(m.resolveUid('sl:other-net:site:only', SYSTEM))).toMatchObject({ code: 'INVALID_FIELD' });
    expect((await m.withdraw(offer.id, SYSTEM)).open).toBe(false);
    expect(await refused(m.withdraw(offer.id, SYSTEM))).toMatchObject({ code: 'ALREADY_REVOKED' });
  });

  it('gives a site operator its own sites’ statements and offers, and nothing of tenants’ bills', async () => {
    const period = await runAll();
    const token = await h.service.createToken({ name: 'op', role: 'site-operator', operator: 'op-co' }, SYSTEM);
    const op = await h.service.authenticate(token.token);
    expect(op).toMatchObject({ role: 'site-operator', operator: 'op-co' });
    expect((await h.service.settlement.statements({ period }, op)).map((s) => s.siteId)).toEqual(['only']);
    expect(await refused(h.service.settlement.statements({ siteId: 'other' }, op))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(h.service.settlement.bills({}, op))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(h.service.settlement.verify(period, op))).toMatchObject({ code: 'FORBIDDEN' });
    const toS = h.clock.nowS() + 86_400;
    const mine = await h.service.market.publish(
      { kind: 'spot', poolId: 'only-h100', count: 8, toS, fenPerAcceleratorHour: 500 },
      op,
    );
    expect(mine.siteId).toBe('only');
    const offer = await h.service.market.publish(
      { kind: 'reserved', poolId: 'other-h100', count: 8, toS, fenPerAcceleratorHour: 900 },
      SYSTEM,
    );
    const elsewhere = await h.service.market.buy({ offerId: offer.id, count: 8 }, admin('grow'));
    const ours = await h.service.market.publish(
      { kind: 'reserved', poolId: 'only-h100', count: 8, toS, fenPerAcceleratorHour: 900 },
      op,
    );
    const atMine = await h.service.market.buy({ offerId: ours.id, count: 8 }, admin('grow'));
    expect((await h.service.market.contracts({}, op)).map((c) => c.id)).toEqual([atMine.id]);
    expect(await refused(h.service.market.resolveUid(elsewhere.uid, op))).toMatchObject({ code: 'ID_NOT_FOUND' });
    const voucher = await h.service.vouchers.issue({ programmeId: 'ai-agri', tenant: 'grow', amountFen: 100 }, SYSTEM);
    expect(await refused(h.service.market.resolveUid(`sl:market:voucher:${voucher.id}`, op))).toMatchObject({
      code: 'ID_NOT_FOUND',
    });
    expect(
      await refused(
        h.service.market.publish({ kind: 'spot', poolId: 'other-h100', count: 8, toS, fenPerAcceleratorHour: 1 }, op),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(h.service.createToken({ name: 'x', role: 'site-operator' }, SYSTEM))).toMatchObject({
      code: 'INVALID_FIELD',
    });
    expect(
      await refused(h.service.createToken({ name: 'x', role: 'site-operator', operator: 'nobody' }, SYSTEM)),
    ).toMatchObject({ code: 'INVALID_FIELD' });
  });
});
