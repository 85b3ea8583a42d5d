import type { FailureClass } from './recovery.ts';

/** Why a site is out of service: its backend stopped answering, or the site itself is out (declared or simulated). */
export type OutageClass = Extract<FailureClass, 'backend-unreachable' | 'site-outage'>;

/** A site out of service since `sinceS`: no placement goes there, and data held only there cannot be read. */
export interface SiteOutage {
  readonly siteId: string;
  readonly sinceS: number;
  readonly failureClass: OutageClass;
  readonly reason: string;
}

/** A wide-area link out of service since `sinceS`: no data is staged over it (either way). */
export interface LinkCut {
  readonly from: string;
  readonly to: string;
  readonly sinceS: number;
  readonly reason: string;
}

/** What is out of service in the network now; absent from a snapshot: everything is healthy. */
export interface NetworkHealth {
  /** By site id. */
  readonly sites: ReadonlyMap<string, SiteOutage>;
  /** By `linkKey`. */
  readonly links: ReadonlyMap<string, LinkCut>;
}

/** One key for a link whichever way it is named. */
export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
