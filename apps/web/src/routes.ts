/**
 * Every view and object of the dashboard has an address in the fragment, so it can be bookmarked,
 * linked from an alert, reloaded, and reached with back and forward:
 * `#/network`, `#/jobs?state=pending`, `#/jobs/ID`, `#/sites/ID`, `#/quote`, `#/tenants`,
 * `#/governance`, `#/simulations`. Pure: parsing and formatting only (the hook is in use-route.ts).
 */

export type ViewId = 'network' | 'site' | 'quote' | 'tenants' | 'governance' | 'simulations';

export type Route =
  | { readonly view: 'network'; readonly state?: string }
  | { readonly view: 'job'; readonly jobId: string }
  | { readonly view: 'site'; readonly siteId: string }
  | { readonly view: Exclude<ViewId, 'network' | 'site'> };

/** Job states the list may be filtered by. */
export const JOB_STATES = ['pending', 'scheduled', 'running', 'succeeded', 'failed', 'cancelled'] as const;

const PLAIN: readonly Exclude<ViewId, 'network' | 'site'>[] = ['quote', 'tenants', 'governance', 'simulations'];

/** The route of a fragment (`#/jobs/j-1`); anything else (empty, a token, unknown) is the network view. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#/, '');
  if (!body.startsWith('/')) return { view: 'network' };
  const [path = '', query = ''] = body.slice(1).split('?', 2);
  const parts = path.split('/').filter((p) => p !== '');
  const [head, id] = parts;
  if (head === 'jobs' && id !== undefined && parts.length === 2) return { view: 'job', jobId: decodeURIComponent(id) };
  if (head === 'sites' && id !== undefined && parts.length === 2)
    return { view: 'site', siteId: decodeURIComponent(id) };
  if (head === 'jobs' || head === 'network' || head === undefined) {
    const state = new URLSearchParams(query).get('state') ?? undefined;
    return state && (JOB_STATES as readonly string[]).includes(state)
      ? { view: 'network', state }
      : { view: 'network' };
  }
  const plain = PLAIN.find((v) => v === head);
  return plain ? { view: plain } : { view: 'network' };
}

/** The fragment of a route. */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'network':
      return route.state ? `#/jobs?state=${encodeURIComponent(route.state)}` : '#/network';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.jobId)}`;
    case 'site':
      return `#/sites/${encodeURIComponent(route.siteId)}`;
    default:
      return `#/${route.view}`;
  }
}

/** The address of a site's page, for links wherever a site id appears. */
export function siteHref(siteId: string): string {
  return routeHash({ view: 'site', siteId });
}

/** The top-level view a route shows (a job is shown in the network view, beside the list). */
export function viewOf(route: Route): ViewId {
  return route.view === 'job' ? 'network' : route.view;
}
