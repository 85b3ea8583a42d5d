import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinNetwork, builtinPolicy, loadPolicyFile, SuanliError, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

const china = builtinPolicy();
let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

async function refusal(f: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await f();
  } catch (e) {
    if (e instanceof SuanliError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

const serve = (name: string, model: string, extra = '') => `name: ${name}
kind: serve
tenant: acme-ai
resources: { accelerators: { H100: 8 } }
durationS: 3600
model: ${model}
exposure: public-mainland
servesSector: internet
labeling: true
${extra}`;

/** A training job of a tenant on `datasets`. */
const train = (tenant: string, datasets: string) => `name: train-${tenant}
kind: train
tenant: ${tenant}
resources: { accelerators: { H100: 8 } }
durationS: 3600
datasets: ${datasets}
`;

/** Sites the policy lets a job run at, from a dry run. */
async function allowedSites(text: string): Promise<string[]> {
  const r = await h.service.testPolicy({ text }, SYSTEM);
  return r.sites.filter((s) => s.allowed).map((s) => s.siteId);
}

describe('governance: the China policy on cn-national (real SQLite store)', () => {
  it('loads the built-in China policy: every rule with its source, and how to satisfy it', () => {
    expect(china.rules.length).toBeGreaterThanOrEqual(15);
    for (const r of china.rules) {
      expect(r.source.length).toBeGreaterThan(5);
      expect(r.fix, `${r.id} says how to fix a job it denies`).toMatch(/\w{3}/);
    }
  });

  it('admits a filed, labelled public service, and denies one with unfiled weights, naming the rule', async () => {
    h = await harness({ policy: china });
    expect((await h.service.submit({ text: serve('chat', 'acme-chat') }, SYSTEM)).state).toBe('pending');
    const denied = await refusal(() => h.service.submit({ text: serve('chat-v2', 'acme-chat-ft') }, SYSTEM));
    expect(denied).toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining('R12: the weights of acme-chat-ft'),
    });
    expect(denied.message).toContain('re-assess at major change');
    // The denial is in the audit log: rules and a digest of the spec, nothing personal.
    const audit = await h.service.listAudit(1, 10, SYSTEM);
    expect(audit.at(-1)).toMatchObject({
      kind: 'job.denied',
      data: { rules: ['R12'], specDigest: expect.any(String) },
    });
  });

  it('denies a denied job again when it comes back with cosmetic changes', async () => {
    h = await harness({ policy: china });
    const first = await refusal(() => h.service.submit({ text: serve('chat-v2', 'acme-chat-ft') }, SYSTEM));
    const renamed = await refusal(() =>
      h.service.submit(
        {
          text: serve('totally-different-name', 'acme-chat-ft', 'priority: 10\nobjective: { cost: 3 }\n'),
        },
        SYSTEM,
      ),
    );
    expect(renamed.code).toBe('POLICY_DENIED');
    expect(renamed.message).toBe(first.message);
  });

  it('denies public generative serving without labels, and unsigned-off healthcare services', async () => {
    h = await harness({ policy: china });
    const unlabelled = await refusal(() =>
      h.service.submit({ text: serve('chat', 'acme-chat').replace('labeling: true', 'labeling: false') }, SYSTEM),
    );
    expect(unlabelled.message).toContain('R18');
    const doctor = `name: radiology
kind: serve
tenant: hospital-ai
resources: { accelerators: { H100: 8 } }
durationS: 3600
model: radiology-assist
exposure: public-mainland
servesSector: healthcare
labeling: true
`;
    expect((await refusal(() => h.service.submit({ text: doctor }, SYSTEM))).message).toContain('R21');
    expect((await h.service.submit({ text: `${doctor}physicianSignOff: true\n` }, SYSTEM)).state).toBe('pending');
  });

  it('denies a forged filing number', async () => {
    const base = builtinNetwork();
    const forged = {
      ...base,
      models: (base.models ?? []).map((m) => (m.id === 'acme-chat' ? { ...m, genaiFilingNo: 'FILED-OK' } : m)),
    };
    h = await harness({ policy: china, network: forged });
    const r = await refusal(() => h.service.submit({ text: serve('chat', 'acme-chat') }, SYSTEM));
    expect(r.message).toContain('R11: model acme-chat has no valid generative-AI filing number');
  });

  it('denies a public generative service without an algorithm filing', async () => {
    const base = builtinNetwork();
    const unfiled = {
      ...base,
      models: (base.models ?? []).map((m) => (m.id === 'acme-chat' ? { ...m, algorithmFilingNo: '网信算备123号' } : m)),
    };
    h = await harness({ policy: china, network: unfiled });
    const r = await refusal(() => h.service.submit({ text: serve('chat', 'acme-chat') }, SYSTEM));
    expect(r.message).toContain('R11-algorithm: model acme-chat has no valid algorithm filing number');
  });

  it('keeps important, health and core data home; lets general data burst to partner sites', async () => {
    h = await harness({ policy: china });
    const general = await allowedSites(train('acme-ai', '[{ name: common-crawl-zh }]'));
    expect(general).toContain('hong-kong');
    expect(general).toContain('singapore');
    const medical = await h.service.testPolicy(
      { text: train('hospital-ai', '[{ name: medical-imaging-sh }]') },
      SYSTEM,
    );
    const hk = medical.sites.find((s) => s.siteId === 'hong-kong');
    expect(hk?.allowed).toBe(false);
    expect(hk?.reasons.join(' ')).toMatch(/R02: dataset medical-imaging-sh is important data/);
    expect(hk?.reasons.join(' ')).toMatch(/R09: /);
    expect(medical.sites.filter((s) => s.allowed).every((s) => !['hong-kong', 'singapore'].includes(s.siteId))).toBe(
      true,
    );
    expect(await allowedSites(train('city-services', '[{ name: land-registry-core }]'))).toEqual(['guian']);
  });

  it('sees through a renamed and re-labelled copy of a data set: its checksum keeps its classification', async () => {
    h = await harness({ policy: china });
    const sum = builtinNetwork().datasets.find((d) => d.name === 'medical-imaging-sh')?.checksum;
    const copy = `[{ name: scans-copy, sizeGb: 800, sites: [shanghai], level: general, pi: none, checksum: ${sum} }]`;
    const sites = await allowedSites(train('hospital-ai', copy));
    expect(sites).not.toContain('hong-kong');
    const relabelled = await allowedSites(
      train('hospital-ai', '[{ name: medical-imaging-sh, level: general, pi: none }]'),
    );
    expect(relabelled).not.toContain('hong-kong');
  });

  it('counts exports per legal entity and year: a transfer split over two accounts needs the contract all the same', async () => {
    // Only Hong Kong has H100 here, and InsureCo's data sits in Shenzhen: a job on it exports it.
    const base = builtinNetwork();
    const network = {
      ...base,
      sites: base.sites.filter((s) => s.id === 'shenzhen' || s.id === 'hong-kong'),
      datasets: base.datasets.filter((d) => d.replicas.every((r) => r === 'shenzhen')),
    };
    h = await harness({ policy: china, network });
    // 80,000 policyholders: under 100,000, allowed (InsureCo has an impact assessment on record).
    const a = await h.service.submit({ text: train('insure-co', '[{ name: policyholders-2026 }]') }, SYSTEM);
    await h.cycle();
    expect((await h.service.getJob(a.id, SYSTEM)).placement?.siteId).toBe('hong-kong');
    const exported = (await h.service.listAudit(1, 100, SYSTEM)).filter((e) => e.kind === 'data.exported');
    expect(exported).toHaveLength(1);
    expect(exported[0]?.data).toMatchObject({ legalEntity: '91440300INSURECO0Z', individuals: 80000, to: 'cn-hk' });
    // InsureCo lets its second account use its data sets (rule ACCESS-01: a grant of the owner).
    const ops = { name: 'ops', role: 'operator' as const };
    for (const resource of ['claims-2026', 'policyholders-2026']) {
      await h.service.access.createGrant({ kind: 'dataset', resource, to: 'insure-co-labs' }, ops);
    }
    // 45,000 more, through the second account of the same legal entity: 125,000 this year.
    const second = await h.service.testPolicy({ text: train('insure-co-labs', '[{ name: claims-2026 }]') }, SYSTEM);
    const hk = second.sites.find((s) => s.siteId === 'hong-kong');
    expect(hk?.allowed).toBe(false);
    expect(hk?.reasons.join(' ')).toMatch(
      /R04-contract: exporting claims-2026 brings 91440300INSURECO0Z to 125000 individuals/,
    );
    // Sending the first data set again counts nothing new.
    const again = await h.service.testPolicy(
      { text: train('insure-co-labs', '[{ name: policyholders-2026 }]') },
      SYSTEM,
    );
    expect(again.sites.find((s) => s.siteId === 'hong-kong')?.allowed).toBe(true);
    // After a restart the counter is read back from the audit log.
    h = await h.restart();
    const afterRestart = await h.service.testPolicy(
      { text: train('insure-co-labs', '[{ name: claims-2026 }]') },
      SYSTEM,
    );
    expect(afterRestart.sites.find((s) => s.siteId === 'hong-kong')?.allowed).toBe(false);
  });

  it('fails closed: a data set without a classification goes nowhere, and says why', async () => {
    h = await harness({ policy: china });
    const r = await h.service.testPolicy(
      {
        text: train('acme-ai', '[{ name: scratch, sizeGb: 10, sites: [beijing] }]'),
      },
      SYSTEM,
    );
    expect(r.sites.every((s) => !s.allowed)).toBe(true);
    expect(r.sites[0]?.reasons[0]).toMatch(/R01 cannot be evaluated: dataset.level is not known/);
    // …and how to fix the spec.
    expect(r.sites[0]?.reasons[0]).toMatch(/— to fix: set `level:` on the data set in the job spec/);
  });

  it('says how to fix a denied spec, and never shows an unfilled placeholder', async () => {
    h = await harness({ policy: china });
    // Sensitive data without an impact assessment on record: R08 names the fix.
    const sensitive = await refusal(() =>
      h.service.submit(
        {
          text: train('acme-ai', '[{ name: faces, sizeGb: 10, sites: [beijing], level: general, pi: sensitive }]'),
        },
        SYSTEM,
      ),
    );
    expect(sensitive.message).toMatch(/R08: .* — to fix: record a personal-information impact assessment/);
    // A service of a decision model that names no sector: the message says the sector is not given.
    const scorer = await refusal(() =>
      h.service.submit(
        {
          text: 'name: s\nkind: serve\ntenant: insure-co\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nmodel: claims-scorer\n',
        },
        SYSTEM,
      ),
    );
    expect(scorer.code).toBe('POLICY_DENIED');
    expect(scorer.message).not.toMatch(/\?[a-z]+\.[a-zA-Z]+/);
    expect(scorer.message).toContain('(job.servesSector not given)');
  });

  it('requires a passing fairness audit of the current weights before a decision model serves a sector', async () => {
    h = await harness({ policy: china });
    const scorer = `name: claims-scoring
kind: serve
tenant: insure-co
resources: { accelerators: { H100: 8 } }
durationS: 3600
model: claims-scorer
servesSector: finance
`;
    expect((await refusal(() => h.service.submit({ text: scorer }, SYSTEM))).message).toContain(
      'R20: model claims-scorer has no passing fairness audit of its current weights for sector finance',
    );
    // Approval rates 50 % vs 25 % by group: fails the four-fifths rule.
    const biased = ['prediction,label,group'];
    for (let i = 0; i < 40; i++) biased.push(`${i % 2},${i % 2},north`, `${i % 4 === 0 ? 1 : 0},${i % 2},south`);
    const failed = await h.service.auditModel('claims-scorer', 'finance', biased.join('\n'), 'upload', SYSTEM);
    expect(failed).toMatchObject({ passed: false, disparateImpactRatio: 0.5, demographicParityDifference: 0.25 });
    expect((await refusal(() => h.service.submit({ text: scorer }, SYSTEM))).code).toBe('POLICY_DENIED');
    const fair = ['prediction,label,group'];
    for (let i = 0; i < 40; i++) fair.push(`${i % 2},${i % 2},north`, `${i % 2},${i % 2},south`);
    expect((await h.service.auditModel('claims-scorer', 'finance', fair.join('\n'), 'upload', SYSTEM)).passed).toBe(
      true,
    );
    expect((await h.service.submit({ text: scorer }, SYSTEM)).state).toBe('pending');
    // Stored with the model, and logged without the rows.
    const model = (await h.service.models(SYSTEM)).find((m) => m.id === 'claims-scorer');
    expect(model?.audits.map((a) => a.passed)).toEqual([false, true]);
    const logged = (await h.service.listAudit(1, 100, SYSTEM)).filter((e) => e.kind === 'model.audited');
    expect(logged).toHaveLength(2);
    expect(JSON.stringify(logged)).not.toContain('north');
    // A bad upload names its line.
    const bad = await refusal(() =>
      h.service.auditModel('claims-scorer', 'finance', 'prediction,label,group\n1,0,a\n2,0,b', 'upload', SYSTEM),
    );
    expect(bad).toMatchObject({ code: 'MALFORMED_INPUT', message: 'prediction must be 0 or 1, not "2"' });
  });

  it('refuses a rules file with an error at load, with file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suanli-policy-'));
    const bad = join(dir, 'rules.yaml');
    writeFileSync(
      bad,
      `name: mine
version: 1
rules:
  - id: X1
    title: t
    source: s
    stage: placement
    effect: deny
    when: { dataset.levle: core }
    message: m
`,
    );
    try {
      loadPolicyFile(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SuanliError);
      const err = e as SuanliError;
      expect(err.code).toBe('INVALID_POLICY');
      expect(err.location).toMatchObject({ line: 9, field: 'rules[0].when.dataset.levle' });
      expect(err.message).toMatch(/unknown fact dataset.levle/);
    }
  });
});
