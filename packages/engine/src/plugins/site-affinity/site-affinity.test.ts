import { describe, expect, it } from 'vitest';
import { cycleOf, job } from '../../network.fixture.ts';
import { siteAffinity } from './site-affinity.ts';

describe('site-affinity', () => {
  it('lets a job without a site list run anywhere and one with a list only at its sites', () => {
    const c = cycleOf();
    const west = c.net.siteById.get('west');
    const east = c.net.siteById.get('east');
    if (!west || !east) throw new Error('fixture');
    const f = siteAffinity();
    expect(f.filterSite(c, job('any'), west)).toBeNull();
    const pinned = job('pinned', { sites: ['east'] });
    expect(f.filterSite(c, pinned, east)).toBeNull();
    expect(f.filterSite(c, pinned, west)).toMatchObject({ code: 'unresolvable' });
  });
});
