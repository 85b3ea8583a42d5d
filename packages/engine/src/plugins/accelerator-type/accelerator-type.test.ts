import { describe, expect, it } from 'vitest';
import { cycleOf, job } from '../../network.fixture.ts';
import { acceleratorType } from './accelerator-type.ts';

const cycle = cycleOf();
const site = (id: string) => {
  const s = cycle.net.siteById.get(id);
  if (!s) throw new Error(id);
  return s;
};

describe('accelerator-type', () => {
  it('lets a site with an accepted type through', () => {
    expect(acceleratorType().filterSite(cycle, job('a'), site('west'))).toBeNull();
    const either = job('b', {
      options: [
        { accelerator: 'A100', perMember: 8 },
        { accelerator: 'H100', perMember: 4 },
      ],
    });
    expect(acceleratorType().filterSite(cycle, either, site('west'))).toBeNull();
  });

  it('rejects a site without one as unresolvable, saying what the site has', () => {
    const a100 = job('c', { options: [{ accelerator: 'A100', perMember: 8 }] });
    expect(acceleratorType().filterSite(cycle, a100, site('west'))).toEqual({
      code: 'unresolvable',
      reason: 'no A100 pool (has H100 ×64)',
    });
  });
});
