import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHash, viewOf } from '../apps/web/src/routes.ts';

describe("the dashboard's addresses", () => {
  it('reads every view and object from the fragment, and writes it back the same', () => {
    const routes: Route[] = [
      { view: 'network' },
      { view: 'network', state: 'pending' },
      { view: 'job', jobId: 'j-0042' },
      { view: 'job', jobId: 'a b/c' },
      { view: 'site', siteId: 'zhongwei' },
      { view: 'quote' },
      { view: 'tenants' },
      { view: 'governance' },
      { view: 'simulations' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(routeHash({ view: 'network', state: 'pending' })).toBe('#/jobs?state=pending');
    expect(routeHash({ view: 'job', jobId: 'j-1' })).toBe('#/jobs/j-1');
  });

  it('shows the network for an empty, unknown or token fragment, and ignores unknown states', () => {
    for (const hash of ['', '#', '#token=sl_abc', '#/nowhere', '#/jobs/a/b', '#/jobs?state=lost']) {
      expect(parseRoute(hash)).toEqual({ view: 'network' });
    }
    expect(parseRoute('#/jobs')).toEqual({ view: 'network' });
    expect(viewOf({ view: 'job', jobId: 'x' })).toBe('network');
  });
});
