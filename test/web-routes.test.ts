import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHash, viewOf } from '../apps/web/src/routes.ts';

describe("the dashboard's addresses", () => {
  it('reads every view and object from the fragment, and writes it back the same', () => {
    const routes: Route[] = [
      { view: 'network' },
      { view: 'network', state: 'pending' },
      { view: 'network', range: '7d' },
      { view: 'network', state: 'running', range: '24h' },
      { view: 'job', jobId: 'j-0042' },
      { view: 'job', jobId: 'a b/c' },
      { view: 'site', siteId: 'zhongwei' },
      { view: 'tenant', tenantId: 'acme-ai' },
      { view: 'audit' },
      { view: 'simulation', reportId: 'itp-cn-3f2a' },
      { view: 'wall' },
      { view: 'quote' },
      { view: 'tenants' },
      { view: 'governance' },
      { view: 'simulations' },
      { view: 'services' },
      { view: 'billing' },
      { view: 'service', serviceId: 'j-svc' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(routeHash({ view: 'network', state: 'pending' })).toBe('#/jobs?state=pending');
    expect(routeHash({ view: 'network', range: '24h' })).toBe('#/network?range=24h');
    expect(routeHash({ view: 'job', jobId: 'j-1' })).toBe('#/jobs/j-1');
    expect(routeHash({ view: 'audit' })).toBe('#/governance/audit');
    expect(routeHash({ view: 'wall' })).toBe('#/wall');
  });

  it('shows the network for an empty, unknown or token fragment, and ignores unknown states and ranges', () => {
    for (const hash of [
      '',
      '#',
      '#token=sl_abc',
      '#/nowhere',
      '#/jobs/a/b',
      '#/jobs?state=lost',
      '#/network?range=1y',
      '#/governance/x',
    ]) {
      expect(parseRoute(hash)).toEqual({ view: 'network' });
    }
    expect(parseRoute('#/jobs')).toEqual({ view: 'network' });
    expect(viewOf({ view: 'job', jobId: 'x' })).toBe('network');
    expect(viewOf({ view: 'tenant', tenantId: 'x' })).toBe('tenants');
    expect(viewOf({ view: 'audit' })).toBe('governance');
    expect(viewOf({ view: 'wall' })).toBeUndefined();
  });
});
