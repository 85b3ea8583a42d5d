import { z } from '@hono/zod-openapi';
import { JOB_KINDS, SECTORS } from '@suanli/engine';
import { list } from './api-schemas.ts';

/** Response and request shapes of metering, prices, bills, statements and vouchers. */

const fen = z.number().int();

export const PoolPriceSchema = z
  .object({
    poolId: z.string(),
    version: z.number().int(),
    fromS: z.number(),
    fenPerAcceleratorHour: fen,
    hourlyPct: list(z.number()).optional(),
  })
  .openapi('PoolPrice');

export const LinkPriceSchema = z
  .object({ link: z.string(), version: z.number().int(), fromS: z.number(), fenPerGb: fen })
  .openapi('LinkPrice');

export const PriceBookSchema = z
  .object({ pools: list(PoolPriceSchema), links: list(LinkPriceSchema) })
  .openapi('PriceBook');

/** Amounts in fen: at most ¥100 billion (a programme's budget), so every sum stays exact. */
const money = z.number().int().min(0).max(10_000_000_000_000);
/** A price in fen: at most ¥1,000 an accelerator-hour or a GB (the network file's bound), so charges stay below 2^53 fen. */
const price = z.number().int().min(0).max(100_000);
const fromS = z.number().min(0).max(1e11).optional();

export const PriceChangeSchema = z
  .union([
    z.strictObject({
      poolId: z.string().min(1).max(128),
      fromS,
      fenPerAcceleratorHour: price,
      hourlyPct: z.array(z.number().int().min(0).max(300)).min(24).max(24).optional(),
    }),
    z.strictObject({
      a: z.string().min(1).max(64),
      b: z.string().min(1).max(64),
      fromS,
      fenPerGb: price,
    }),
  ])
  .openapi('PriceChange', {
    example: { poolId: 'zhongwei-h20', fenPerAcceleratorHour: 420 },
  });

export const BillLineSchema = z
  .object({
    meterId: z.string(),
    jobId: z.string(),
    attempt: z.number().int(),
    kind: z.string(),
    siteId: z.string(),
    poolId: z.string(),
    accelerator: z.string(),
    count: z.number().int(),
    startS: z.number(),
    endS: z.number(),
    outcome: z.string(),
    acceleratorHours: z.number(),
    energyKwh: z.number(),
    carbonKg: z.number(),
    computeFen: fen,
    energyFen: fen,
    transferFen: fen,
    chargeFen: fen,
    creditFen: fen,
    voucherFen: fen,
    dueFen: fen,
  })
  .openapi('BillLine');

export const BillSchema = z
  .object({
    tenant: z.string(),
    sector: z.string(),
    period: z.string(),
    lines: list(BillLineSchema),
    acceleratorHours: z.number(),
    energyKwh: z.number(),
    carbonKg: z.number(),
    computeFen: fen,
    energyFen: fen,
    transferFen: fen,
    chargeFen: fen,
    creditFen: fen,
    voucherFen: fen,
    dueFen: fen,
  })
  .openapi('Bill');

export const StatementSchema = z
  .object({
    siteId: z.string(),
    period: z.string(),
    pools: list(
      z.object({
        poolId: z.string(),
        accelerator: z.string(),
        attempts: z.number().int(),
        acceleratorHours: z.number(),
        energyKwh: z.number(),
        computeFen: fen,
        energyFen: fen,
      }),
    ),
    acceleratorHours: z.number(),
    energyKwh: z.number(),
    computeFen: fen,
    energyFen: fen,
    transferFen: fen,
    revenueFen: fen,
    penaltiesFen: fen,
    netFen: fen,
  })
  .openapi('Statement');

export const SettlementCheckSchema = z
  .object({
    ok: z.boolean(),
    period: z.string(),
    auditEntries: z.number().int(),
    chainOk: z.boolean(),
    meterRecords: z.number().int(),
    brokenRecords: z.number().int(),
    metersFen: fen,
    billsFen: fen,
    statementsFen: fen,
    diffFen: fen,
    statementDiffFen: fen,
    voucherDiffFen: fen,
    meterDigest: z.string(),
    rebuiltDigest: z.string(),
    problems: list(z.string()),
  })
  .openapi('SettlementCheck');

export const ProgrammeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sectors: list(z.enum(SECTORS)),
    kinds: list(z.enum(JOB_KINDS)),
    shareBoost: z.number(),
    budgetFen: fen,
    validFromS: z.number(),
    validToS: z.number(),
    issuedFen: fen,
    budgetLeftFen: fen,
    redeemedFen: fen,
    vouchers: z.number().int(),
  })
  .openapi('Programme');

export const VoucherSchema = z
  .object({
    id: z.string(),
    programmeId: z.string(),
    programme: z.string(),
    tenant: z.string(),
    amountFen: fen,
    issuedAtS: z.number(),
    expiresAtS: z.number(),
    redeemedFen: fen,
    writtenOffFen: fen,
    balanceFen: fen,
  })
  .openapi('Voucher');

export const IssueVoucherSchema = z
  .strictObject({
    programmeId: z.string().min(1).max(64),
    tenant: z.string().min(1).max(128),
    amountFen: money.min(1),
  })
  .openapi('IssueVoucher', {
    example: { programmeId: 'ai-plus-agriculture-2027', tenant: 'agri-lab', amountFen: 500_000 },
  });

export const RedeemVoucherSchema = z
  .strictObject({
    period: z.string().min(7).max(7),
    lines: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    amountFen: money.min(1).optional(),
  })
  .openapi('RedeemVoucher', { example: { period: '2026-11' } });

export const periodQuery = z
  .string()
  .max(7)
  .optional()
  .openapi({ param: { name: 'period', in: 'query' }, example: '2026-11' });

const SlaSchema = z.object({ startWithinS: z.number().optional(), penaltyFen: fen });

export const OfferSchema = z
  .object({
    id: z.string(),
    uid: z.string(),
    kind: z.enum(['spot', 'reserved']),
    poolId: z.string(),
    siteId: z.string(),
    count: z.number().int(),
    fromS: z.number(),
    toS: z.number(),
    fenPerAcceleratorHour: fen,
    sla: SlaSchema.optional(),
    publishedAtS: z.number(),
    withdrawnAtS: z.number().optional(),
    soldCount: z.number().int(),
    open: z.boolean(),
  })
  .openapi('Offer');

const timeS = z.number().min(0).max(1e11);

export const PublishOfferSchema = z
  .strictObject({
    kind: z.enum(['spot', 'reserved']),
    poolId: z.string().min(1).max(128),
    count: z.number().int().min(1).max(1_000_000),
    fromS: timeS.optional(),
    toS: timeS,
    fenPerAcceleratorHour: price,
    sla: z.strictObject({ startWithinS: z.number().min(0).max(31_622_400).optional(), penaltyFen: money }).optional(),
  })
  .openapi('PublishOffer', {
    example: { kind: 'spot', poolId: 'zhongwei-h20', count: 512, toS: 1_798_000_000, fenPerAcceleratorHour: 250 },
  });

export const ContractSchema = z
  .object({
    id: z.string(),
    uid: z.string(),
    offerId: z.string(),
    tenant: z.string(),
    poolId: z.string(),
    siteId: z.string(),
    count: z.number().int(),
    fromS: z.number(),
    toS: z.number(),
    fenPerAcceleratorHour: fen,
    sla: SlaSchema.optional(),
    madeAtS: z.number(),
  })
  .openapi('Contract');

export const BuyContractSchema = z
  .strictObject({
    offerId: z.string().min(1).max(128),
    count: z.number().int().min(1).max(1_000_000),
    tenant: z.string().min(1).max(128).optional(),
  })
  .openapi('BuyContract', { example: { offerId: 'o-…', count: 64 } });

export const ResolvedSchema = z
  .object({ uid: z.string(), kind: z.string(), id: z.string(), object: z.record(z.string(), z.unknown()) })
  .openapi('Resolved');

export const SectorReportSchema = z
  .object({
    sector: z.string(),
    period: z.string(),
    tenants: z.number().int(),
    jobsSubmitted: z.number().int(),
    askedAcceleratorHours: z.number(),
    usedAcceleratorHours: z.number(),
    chargeFen: fen,
    voucherFen: fen,
    programmes: list(z.string()),
  })
  .openapi('SectorReport');
