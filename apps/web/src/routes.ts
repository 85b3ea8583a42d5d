/**
 * Every view and object of the dashboard has an address in the fragment, so it can be bookmarked,
 * linked from an alert, reloaded, and reached with back and forward:
 * `#/network?range=24h`, `#/jobs?state=pending`, `#/jobs/ID`, `#/sites/ID`, `#/tenants`,
 * `#/tenants/ID`, `#/quote`, `#/governance`, `#/governance/audit`, `#/simulations`,
 * `#/simulations/ID`, `#/services`, `#/services/ID`, `#/billing`, `#/power`, `#/wall`. Pure: parsing and formatting only (the hook is in use-route.ts).
 */

/** The views with a button in the navigation. */
export type ViewId = 'network' | 'services' | 'quote' | 'tenants' | 'billing' | 'power' | 'governance' | 'simulations';

/** The time ranges the history charts offer. */
export const RANGES = ['1h', '24h', '7d'] as const;
export type Range = (typeof RANGES)[number];

export type Route =
  | { readonly view: 'network'; readonly state?: string; readonly range?: Range }
  | { readonly view: 'job'; readonly jobId: string }
  | { readonly view: 'site'; readonly siteId: string }
  | { readonly view: 'tenant'; readonly tenantId: string }
  | { readonly view: 'audit' }
  | { readonly view: 'simulation'; readonly reportId: string }
  | { readonly view: 'service'; readonly serviceId: string }
  | { readonly view: 'wall' }
  | { readonly view: 'services' | 'quote' | 'tenants' | 'billing' | 'power' | 'governance' | 'simulations' };

/** Job states the list may be filtered by. */
export const JOB_STATES = ['pending', 'scheduled', 'running', 'succeeded', 'failed', 'cancelled'] as const;

const PLAIN = ['services', 'quote', 'tenants', 'billing', 'power', 'governance', 'simulations', 'wall'] as const;

/** Objects with a page of their own: the first part of the path, and the route of an id. */
const OBJECTS: Readonly<Record<string, (id: string) => Route>> = {
  jobs: (jobId) => ({ view: 'job', jobId }),
  sites: (siteId) => ({ view: 'site', siteId }),
  tenants: (tenantId) => ({ view: 'tenant', tenantId }),
  simulations: (reportId) => ({ view: 'simulation', reportId }),
  services: (serviceId) => ({ view: 'service', serviceId }),
};

/** The route of a fragment (`#/jobs/j-1`); anything else (empty, a token, unknown) is the network view. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#/, '');
  if (!body.startsWith('/')) return { view: 'network' };
  const [path = '', query = ''] = body.slice(1).split('?', 2);
  const parts = path.split('/').filter((p) => p !== '');
  const [head, id] = parts;
  const object = head !== undefined ? OBJECTS[head] : undefined;
  if (object && id !== undefined && parts.length === 2) return object(decodeURIComponent(id));
  if (head === 'governance' && id === 'audit' && parts.length === 2) return { view: 'audit' };
  if (parts.length > 1) return { view: 'network' };
  if (head === 'jobs' || head === 'network' || head === undefined) {
    const q = new URLSearchParams(query);
    const state = q.get('state') ?? undefined;
    const range = RANGES.find((r) => r === q.get('range'));
    return {
      view: 'network',
      ...(state && (JOB_STATES as readonly string[]).includes(state) ? { state } : {}),
      ...(range ? { range } : {}),
    };
  }
  const plain = PLAIN.find((v) => v === head);
  return plain ? { view: plain } : { view: 'network' };
}

/** The fragment of a route. */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'network': {
      const q = new URLSearchParams();
      if (route.state) q.set('state', route.state);
      if (route.range) q.set('range', route.range);
      const query = q.toString();
      return route.state ? `#/jobs?${query}` : query ? `#/network?${query}` : '#/network';
    }
    case 'job':
      return `#/jobs/${encodeURIComponent(route.jobId)}`;
    case 'site':
      return `#/sites/${encodeURIComponent(route.siteId)}`;
    case 'tenant':
      return `#/tenants/${encodeURIComponent(route.tenantId)}`;
    case 'simulation':
      return `#/simulations/${encodeURIComponent(route.reportId)}`;
    case 'service':
      return `#/services/${encodeURIComponent(route.serviceId)}`;
    case 'audit':
      return '#/governance/audit';
    default:
      return `#/${route.view}`;
  }
}

/** Addresses for links wherever an id appears. */
export const siteHref = (siteId: string) => routeHash({ view: 'site', siteId });
export const jobHref = (jobId: string) => routeHash({ view: 'job', jobId });
export const tenantHref = (tenantId: string) => routeHash({ view: 'tenant', tenantId });
export const serviceHref = (serviceId: string) => routeHash({ view: 'service', serviceId });

/** The navigation button a route belongs under (none for the wall display). */
export function viewOf(route: Route): ViewId | undefined {
  switch (route.view) {
    case 'job':
    case 'site':
    case 'network':
      return 'network';
    case 'tenant':
      return 'tenants';
    case 'audit':
      return 'governance';
    case 'simulation':
      return 'simulations';
    case 'service':
      return 'services';
    case 'wall':
      return undefined;
    default:
      return route.view;
  }
}
