/**
 * The one error catalog. Every request or domain error has a stable code; the code decides the
 * HTTP status and the CLI exit code. Adding a code without both is a compile error.
 */
export const ERROR_CODES = [
  'MALFORMED_INPUT',
  'INVALID_FIELD',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNKNOWN_ACCELERATOR',
  'UNKNOWN_SITE',
  'UNKNOWN_DATASET',
  'UNKNOWN_TENANT',
  'UNKNOWN_MODEL',
  'GANG_TOO_LARGE',
  'INVALID_NETWORK',
  'INVALID_PROFILE',
  'INVALID_SCENARIO',
  'INVALID_TRACE',
  'INVALID_POLICY',
  'POLICY_DENIED',
  'NO_FEASIBLE_SITE',
  'JOB_NOT_FOUND',
  'SITE_NOT_FOUND',
  'AUDIT_ENTRY_NOT_FOUND',
  'AUDIT_CORRUPT',
  'TOKEN_NOT_FOUND',
  'GRANT_NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'ALREADY_REVOKED',
  'JOB_NOT_CANCELLABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'ADDRESS_IN_USE',
  'OPTIMIZER_UNAVAILABLE',
  'PRICE_CONFLICT',
  'VOUCHER_DENIED',
  'VOUCHER_NOT_FOUND',
  'PROGRAMME_NOT_FOUND',
  'OFFER_NOT_FOUND',
  'ID_NOT_FOUND',
  'MARKET_CHANGED',
  'UNKNOWN_REGION',
  'GRID_EVENT_NOT_FOUND',
  'GRID_EVENT_EXISTS',
  'POWER_SCHEDULE_CONFLICT',
  'SERVER_UNREACHABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  MALFORMED_INPUT: 400,
  INVALID_FIELD: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNKNOWN_ACCELERATOR: 422,
  UNKNOWN_SITE: 422,
  UNKNOWN_DATASET: 422,
  UNKNOWN_TENANT: 422,
  UNKNOWN_MODEL: 422,
  GANG_TOO_LARGE: 422,
  INVALID_NETWORK: 400,
  INVALID_PROFILE: 400,
  INVALID_SCENARIO: 400,
  INVALID_TRACE: 400,
  INVALID_POLICY: 400,
  POLICY_DENIED: 403,
  NO_FEASIBLE_SITE: 422,
  JOB_NOT_FOUND: 404,
  SITE_NOT_FOUND: 404,
  AUDIT_ENTRY_NOT_FOUND: 404,
  /** An audit entry in the store cannot be read back (bad bytes): the log is damaged, never a caller's fault. */
  AUDIT_CORRUPT: 500,
  TOKEN_NOT_FOUND: 404,
  GRANT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  ALREADY_REVOKED: 409,
  JOB_NOT_CANCELLABLE: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  /** Never an HTTP answer: `suanli serve` could not listen. */
  ADDRESS_IN_USE: 503,
  OPTIMIZER_UNAVAILABLE: 409,
  /** A price version that would overlap one already set (or start in the past). */
  PRICE_CONFLICT: 409,
  /** A voucher rule refused an issue or a redemption; the message names the rule. */
  VOUCHER_DENIED: 422,
  VOUCHER_NOT_FOUND: 404,
  PROGRAMME_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  ID_NOT_FOUND: 404,
  /** Another server changed the market while a change was checked, again and again: send it again. */
  MARKET_CHANGED: 409,
  /** A grid region (or site) a grid event or a budget window names is not in the network. */
  UNKNOWN_REGION: 422,
  GRID_EVENT_NOT_FOUND: 404,
  /** A grid event with the id given exists already (the grid sent its order twice). */
  GRID_EVENT_EXISTS: 409,
  /** A contracted window that would overlap one already in the level's budget. */
  POWER_SCHEDULE_CONFLICT: 409,
  SERVER_UNREACHABLE: 503,
  INTERNAL: 500,
};

/** 2: the user's input is wrong; 1: the command could not be carried out for another reason. */
export const CLI_EXIT: Readonly<Record<ErrorCode, number>> = {
  MALFORMED_INPUT: 2,
  INVALID_FIELD: 2,
  UNAUTHENTICATED: 2,
  FORBIDDEN: 2,
  UNKNOWN_ACCELERATOR: 2,
  UNKNOWN_SITE: 2,
  UNKNOWN_DATASET: 2,
  UNKNOWN_TENANT: 2,
  UNKNOWN_MODEL: 2,
  GANG_TOO_LARGE: 2,
  INVALID_NETWORK: 2,
  INVALID_PROFILE: 2,
  INVALID_SCENARIO: 2,
  INVALID_TRACE: 2,
  INVALID_POLICY: 2,
  POLICY_DENIED: 2,
  NO_FEASIBLE_SITE: 2,
  JOB_NOT_FOUND: 2,
  SITE_NOT_FOUND: 2,
  AUDIT_ENTRY_NOT_FOUND: 2,
  AUDIT_CORRUPT: 1,
  TOKEN_NOT_FOUND: 2,
  GRANT_NOT_FOUND: 2,
  ROUTE_NOT_FOUND: 2,
  ALREADY_REVOKED: 2,
  JOB_NOT_CANCELLABLE: 2,
  UNSUPPORTED_MEDIA_TYPE: 2,
  PAYLOAD_TOO_LARGE: 2,
  HEADERS_TOO_LARGE: 2,
  ADDRESS_IN_USE: 2,
  OPTIMIZER_UNAVAILABLE: 1,
  PRICE_CONFLICT: 2,
  VOUCHER_DENIED: 2,
  VOUCHER_NOT_FOUND: 2,
  PROGRAMME_NOT_FOUND: 2,
  OFFER_NOT_FOUND: 2,
  ID_NOT_FOUND: 2,
  MARKET_CHANGED: 1,
  UNKNOWN_REGION: 2,
  GRID_EVENT_NOT_FOUND: 2,
  GRID_EVENT_EXISTS: 2,
  POWER_SCHEDULE_CONFLICT: 2,
  SERVER_UNREACHABLE: 1,
  INTERNAL: 1,
};

/** Where in the input a problem is: a dotted field path and, for text input, its line. */
export interface ErrorLocation {
  readonly source?: string;
  readonly field?: string;
  readonly line?: number;
  readonly column?: number;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
  } & ErrorLocation;
}

export class SuanliError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SuanliError';
    this.code = code;
    this.location = location;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.location } };
  }
}

/** True for a SuanliError from any copy of this package (checked by shape, not only by class). */
export function isSuanliError(e: unknown): e is SuanliError {
  if (e instanceof SuanliError) return true;
  if (!(e instanceof Error) || e.name !== 'SuanliError') return false;
  const code: unknown = (e as unknown as { code?: unknown }).code;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** The one place unknown throwables become catalog errors. */
export function toSuanliError(e: unknown): SuanliError {
  if (isSuanliError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SuanliError('INTERNAL', `internal error: ${message}`, {}, { cause: e });
}

/** One line for a terminal: `file:line:col: field: message`. */
export function formatErrorLine(code: ErrorCode, message: string, loc: ErrorLocation): string {
  const where = [loc.source, loc.line, loc.column].filter((p) => p !== undefined).join(':');
  const field = loc.field ? `${loc.field}: ` : '';
  return `${where ? `${where}: ` : ''}${field}${message} [${code}]`;
}
