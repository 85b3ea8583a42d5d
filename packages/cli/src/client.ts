import type { Bill, Dataset, LinkCut, LinkPrice, Model, PoolPrice, Statement } from '@suanli/engine';
import type {
  AuditEntry,
  AuditVerification,
  ConsistencyProof,
  ContractView,
  GrantRecord,
  GridEventInput,
  GridEventView,
  InclusionProof,
  JobRecord,
  NetworkHealthView,
  NewToken,
  OfferInput,
  OfferView,
  OptimizeResult,
  PowerView,
  PowerWindowInput,
  PriceInput,
  ProgrammeView,
  Quote,
  RedeemInput,
  Resolved,
  SectorReport,
  ServiceView,
  SettlementCheck,
  SignedTreeHead,
  SiteHealthView,
  SiteStatus,
  StoredModelAudit,
  TokenView,
  VoucherView,
  WhyPending,
} from '@suanli/service';
import { ERROR_CODES, type ErrorCode, SuanliError } from '@suanli/service';
import { boundedText } from './http-body.ts';

/** The largest answer the CLI reads from the server (the audit log is read in pages well below it). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** A thin HTTP client of the Suanli API. Error bodies become SuanliErrors with their codes. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(baseUrl: string, token?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  createToken(req: {
    name: string;
    role: string;
    tenant?: string;
    operator?: string;
    expiresInS?: number;
  }): Promise<NewToken> {
    return this.call('POST', '/v1/tokens', { text: JSON.stringify(req), source: 'request', json: true });
  }

  tokens(): Promise<TokenView[]> {
    return this.call('GET', '/v1/tokens');
  }

  revokeToken(id: string): Promise<TokenView> {
    return this.call('POST', `/v1/tokens/${encodeURIComponent(id)}/revoke`);
  }

  createGrant(req: { kind: 'model' | 'dataset'; resource: string; to: string }): Promise<GrantRecord> {
    return this.call('POST', '/v1/grants', { text: JSON.stringify(req), source: 'request', json: true });
  }

  grants(): Promise<GrantRecord[]> {
    return this.call('GET', '/v1/grants');
  }

  revokeGrant(id: string): Promise<GrantRecord> {
    return this.call('POST', `/v1/grants/${encodeURIComponent(id)}/revoke`);
  }

  sites(): Promise<SiteStatus[]> {
    return this.call('GET', '/v1/sites');
  }

  services(): Promise<ServiceView[]> {
    return this.call('GET', '/v1/services');
  }

  service(id: string): Promise<ServiceView> {
    return this.call('GET', `/v1/services/${encodeURIComponent(id)}`);
  }

  route(id: string, from: string): Promise<{ replicaId: string; siteId: string; endpoint: string; ttftMs: number }> {
    return this.call('GET', `/v1/services/${encodeURIComponent(id)}/route?from=${encodeURIComponent(from)}`);
  }

  prices(): Promise<{ pools: PoolPrice[]; links: LinkPrice[] }> {
    return this.call('GET', '/v1/prices');
  }

  setPrice(change: PriceInput): Promise<PoolPrice | LinkPrice> {
    return this.call('POST', '/v1/prices', { text: JSON.stringify(change), source: 'request', json: true });
  }

  bills(q: { tenant?: string; period?: string }): Promise<Bill[]> {
    return this.call('GET', `/v1/bills${query(q)}`);
  }

  verifyBills(period: string): Promise<SettlementCheck> {
    return this.call('GET', `/v1/bills/verify${query({ period })}`);
  }

  statements(q: { site?: string; period?: string }): Promise<Statement[]> {
    return this.call('GET', `/v1/statements${query(q)}`);
  }

  sectors(period: string): Promise<SectorReport[]> {
    return this.call('GET', `/v1/sectors${query({ period })}`);
  }

  programmes(): Promise<ProgrammeView[]> {
    return this.call('GET', '/v1/programmes');
  }

  vouchers(q: { tenant?: string }): Promise<VoucherView[]> {
    return this.call('GET', `/v1/vouchers${query(q)}`);
  }

  issueVoucher(req: { programmeId: string; tenant: string; amountFen: number }): Promise<VoucherView> {
    return this.call('POST', '/v1/vouchers', { text: JSON.stringify(req), source: 'request', json: true });
  }

  redeemVoucher(id: string, req: RedeemInput): Promise<VoucherView> {
    return this.call('POST', `/v1/vouchers/${encodeURIComponent(id)}/redeem`, {
      text: JSON.stringify(req),
      source: 'request',
      json: true,
    });
  }

  writeOffVoucher(id: string, reason: string): Promise<VoucherView> {
    return this.call('POST', `/v1/vouchers/${encodeURIComponent(id)}/write-off`, {
      text: JSON.stringify({ reason }),
      source: 'request',
      json: true,
    });
  }

  power(hours?: number): Promise<PowerView> {
    return this.call('GET', `/v1/power${hours !== undefined ? `?hours=${hours}` : ''}`);
  }

  addPowerWindow(w: PowerWindowInput): Promise<PowerView['windows'][number]> {
    return this.call('POST', '/v1/power/windows', { text: JSON.stringify(w), source: 'request', json: true });
  }

  gridEvents(): Promise<GridEventView[]> {
    return this.call('GET', '/v1/grid-events');
  }

  gridEvent(id: string): Promise<GridEventView> {
    return this.call('GET', `/v1/grid-events/${encodeURIComponent(id)}`);
  }

  issueGridEvent(req: GridEventInput): Promise<GridEventView> {
    return this.call('POST', '/v1/grid-events', { text: JSON.stringify(req), source: 'request', json: true });
  }

  offers(): Promise<OfferView[]> {
    return this.call('GET', '/v1/offers');
  }

  publishOffer(o: OfferInput): Promise<OfferView> {
    return this.call('POST', '/v1/offers', { text: JSON.stringify(o), source: 'request', json: true });
  }

  withdrawOffer(id: string): Promise<OfferView> {
    return this.call('POST', `/v1/offers/${encodeURIComponent(id)}/withdraw`);
  }

  contracts(q: { tenant?: string }): Promise<ContractView[]> {
    return this.call('GET', `/v1/contracts${query(q)}`);
  }

  buyContract(req: { offerId: string; count: number; tenant?: string }): Promise<ContractView> {
    return this.call('POST', '/v1/contracts', { text: JSON.stringify(req), source: 'request', json: true });
  }

  resolveId(uid: string): Promise<Resolved> {
    return this.call('GET', `/v1/ids/${encodeURIComponent(uid)}`);
  }

  health(): Promise<NetworkHealthView> {
    return this.call('GET', '/v1/site-health');
  }

  setSiteHealth(id: string, state: 'out' | 'in-service', reason?: string): Promise<SiteHealthView> {
    const text = JSON.stringify({ state, ...(reason !== undefined ? { reason } : {}) });
    return this.call('PUT', `/v1/sites/${encodeURIComponent(id)}/health`, { text, source: 'request', json: true });
  }

  setLinkHealth(from: string, to: string, state: 'cut' | 'in-service', reason?: string): Promise<LinkCut[]> {
    const text = JSON.stringify({ state, ...(reason !== undefined ? { reason } : {}) });
    return this.call('PUT', `/v1/links/${encodeURIComponent(from)}/${encodeURIComponent(to)}/health`, {
      text,
      source: 'request',
      json: true,
    });
  }

  jobs(query: { state?: string; tenant?: string; limit?: number }): Promise<JobRecord[]> {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.tenant) params.set('tenant', query.tenant);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const qs = params.toString();
    return this.call('GET', `/v1/jobs${qs ? `?${qs}` : ''}`);
  }

  job(id: string): Promise<JobRecord> {
    return this.call('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  why(id: string): Promise<WhyPending> {
    return this.call('GET', `/v1/jobs/${encodeURIComponent(id)}/why`);
  }

  cancel(id: string): Promise<JobRecord> {
    return this.call('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  submit(spec: SpecText): Promise<JobRecord> {
    return this.call('POST', '/v1/jobs', spec);
  }

  quote(spec: SpecText): Promise<Quote> {
    return this.call('POST', '/v1/quote', spec);
  }

  optimize(apply: boolean): Promise<OptimizeResult> {
    return this.call('POST', `/v1/optimize?apply=${apply}`);
  }

  verifyAudit(): Promise<AuditVerification> {
    return this.call('GET', '/v1/audit/verify');
  }

  policy(): Promise<{
    name: string;
    version: number;
    rules: { id: string; title: string; source: string; stage: string; effect: string }[];
  }> {
    return this.call('GET', '/v1/policies');
  }

  testPolicy(spec: SpecText): Promise<PolicyTest> {
    return this.call('POST', '/v1/policies/test', spec);
  }

  datasets(): Promise<Dataset[]> {
    return this.call('GET', '/v1/datasets');
  }

  models(): Promise<Model[]> {
    return this.call('GET', '/v1/models');
  }

  auditModel(id: string, sector: string, csv: string, source: string): Promise<StoredModelAudit> {
    return this.call('POST', `/v1/models/${encodeURIComponent(id)}/audits?sector=${encodeURIComponent(sector)}`, {
      text: csv,
      source,
      json: false,
      contentType: 'text/csv',
    });
  }

  kueue(id: string, o: { namespace?: string; image?: string }): Promise<Record<string, unknown>> {
    const q = new URLSearchParams();
    if (o.namespace) q.set('namespace', o.namespace);
    if (o.image) q.set('image', o.image);
    const qs = q.toString();
    return this.call('GET', `/v1/jobs/${encodeURIComponent(id)}/kueue${qs ? `?${qs}` : ''}`);
  }

  audit(fromSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.call('GET', `/v1/audit?from=${fromSeq}&limit=${limit}`);
  }

  auditKey(): Promise<{ logId: string; publicKey: string }> {
    return this.call('GET', '/v1/audit/key');
  }

  auditHead(): Promise<SignedTreeHead> {
    return this.call('GET', '/v1/audit/head');
  }

  inclusionProof(seq: number, treeSize: number): Promise<InclusionProof> {
    return this.call('GET', `/v1/audit/proof/inclusion?seq=${seq}&treeSize=${treeSize}`);
  }

  consistencyProof(first: number, second: number): Promise<ConsistencyProof> {
    return this.call('GET', `/v1/audit/proof/consistency?first=${first}&second=${second}`);
  }

  private async call<T>(method: string, path: string, spec?: SpecText): Promise<T> {
    const auth: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const send = () =>
      fetch(this.baseUrl + path, {
        method,
        ...(spec
          ? {
              body: spec.text,
              headers: {
                ...auth,
                'content-type': spec.contentType ?? (spec.json ? 'application/json' : 'application/yaml'),
                'x-suanli-source': spec.source,
              },
            }
          : { headers: auth }),
      });
    let res: Response;
    try {
      res = await send().catch((e: unknown) => {
        // A kept-alive connection the server closed as it was reused: a read is safe to send again, once.
        if (method === 'GET') return send();
        throw e;
      });
    } catch (e) {
      const why = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      throw new SuanliError(
        'SERVER_UNREACHABLE',
        `cannot reach Suanli at ${this.baseUrl}${why} (is \`suanli serve\` running? set SUANLI_URL to point elsewhere)`,
        {},
        { cause: e },
      );
    }
    const text = await boundedText(res, MAX_ANSWER_BYTES).catch((e: unknown) => {
      throw new SuanliError('INTERNAL', `${method} ${path}: ${e instanceof Error ? e.message : String(e)}`);
    });
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.ok) {
      if (body === undefined) {
        throw new SuanliError(
          'INTERNAL',
          `${this.baseUrl} answered ${method} ${path} with no JSON: is it a Suanli server?`,
        );
      }
      return body as T;
    }
    const err = (body as { error?: Record<string, unknown> } | undefined)?.error;
    const code = (ERROR_CODES as readonly string[]).includes(String(err?.['code']))
      ? (err?.['code'] as ErrorCode)
      : codeOfStatus(res.status);
    const loc = {
      ...(typeof err?.['source'] === 'string' ? { source: err['source'] } : {}),
      ...(typeof err?.['field'] === 'string' ? { field: err['field'] } : {}),
      ...(typeof err?.['line'] === 'number' ? { line: err['line'] } : {}),
      ...(typeof err?.['column'] === 'number' ? { column: err['column'] } : {}),
    };
    throw new SuanliError(
      code,
      String(err?.['message'] ?? `the server answered HTTP ${res.status} ${res.statusText}`),
      loc,
    );
  }
}

/** The catalog code of an HTTP status that came without a catalog body (from a proxy, or from Node itself). */
function codeOfStatus(status: number): ErrorCode {
  const byStatus: Readonly<Record<number, ErrorCode>> = {
    400: 'MALFORMED_INPUT',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'ROUTE_NOT_FOUND',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    431: 'HEADERS_TOO_LARGE',
    502: 'SERVER_UNREACHABLE',
    503: 'SERVER_UNREACHABLE',
    504: 'SERVER_UNREACHABLE',
  };
  return byStatus[status] ?? 'INTERNAL';
}

export interface SpecText {
  readonly text: string;
  readonly source: string;
  readonly json: boolean;
  readonly contentType?: string;
}

export interface PolicyTest {
  readonly admission: { allowed: boolean; denials: { rule: string; reason: string }[]; checked: string[] };
  readonly sites: { siteId: string; allowed: boolean; reasons: string[] }[];
}

/** `?a=1&b=2` of the parameters given (none: empty). */
function query(params: Readonly<Record<string, string | undefined>>): string {
  const given = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return given.length === 0 ? '' : `?${new URLSearchParams(given).toString()}`;
}
