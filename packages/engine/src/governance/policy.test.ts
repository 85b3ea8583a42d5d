import { describe, expect, it } from 'vitest';
import { yearOf } from './facts.ts';
import { applyRule, type Facts, holds, type Rule } from './policy.ts';

const facts: Facts = {
  job: { kind: 'serve', exposure: 'public-mainland', labeling: false },
  dataset: { level: 'important', pi: 'sensitive', individuals: 250_000, tags: ['health-population'] },
  site: { jurisdiction: 'cn-hk', mainland: false },
  model: {
    kind: 'generative',
    genaiFilingNo: 'Beijing-AcmeChat-202608150001',
    weightsDigest: 'aa',
    filedWeightsDigest: 'bb',
  },
};

const rule = (over: Partial<Rule>): Rule => ({
  id: 'T1',
  title: 't',
  source: 'Test Act Art. 1',
  stage: 'placement',
  effect: 'deny',
  message: 'dataset is {dataset.level} at {site.jurisdiction}',
  ...over,
});

describe('governance rules', () => {
  it('evaluates facts, matchers and all / any / not', () => {
    expect(holds({ 'dataset.level': 'important', 'site.mainland': false }, facts)).toBe(true);
    expect(holds({ 'dataset.level': { in: ['core', 'important'] } }, facts)).toBe(true);
    expect(holds({ 'dataset.individuals': { gte: 100_000 } }, facts)).toBe(true);
    expect(holds({ 'dataset.individuals': { lt: 100_000 } }, facts)).toBe(false);
    expect(holds({ 'dataset.tags': { includes: 'health-population' } }, facts)).toBe(true);
    expect(holds({ 'model.genaiFilingNo': { matches: '^[A-Za-z]+-[A-Za-z0-9]+-\\d{8,}$' } }, facts)).toBe(true);
    expect(holds({ 'model.weightsDigest': { sameAs: 'model.filedWeightsDigest' } }, facts)).toBe(false);
    expect(holds({ 'model.registrationNo': { exists: false } }, facts)).toBe(true);
    expect(holds({ any: [{ 'site.mainland': true }, { not: { 'job.labeling': true } }] }, facts)).toBe(true);
    expect(holds({ all: [{ 'site.mainland': true }, { 'unknown.fact': 1 }] }, facts)).toBe(false);
  });

  it('denies, requires and prefers, naming the rule, its source and the facts', () => {
    expect(applyRule(rule({ when: { 'dataset.level': 'important' } }), facts)).toMatchObject({
      result: 'denied',
      reason: 'T1: dataset is important at cn-hk [Test Act Art. 1]',
    });
    expect(applyRule(rule({ when: { 'dataset.level': 'core' } }), facts).result).toBe('allowed');
    const require = rule({ effect: 'require', when: { 'job.kind': 'serve' }, require: { 'job.labeling': true } });
    expect(applyRule(require, facts).result).toBe('denied');
    expect(applyRule({ ...require, when: { 'job.kind': 'train' } }, facts).result).toBe('allowed');
    const prefer = rule({ effect: 'prefer', when: { 'site.mainland': true }, penaltyPct: 25 });
    expect(applyRule(prefer, facts).result).toBe('dispreferred');
  });

  it('fails closed: a fact the rule compares that is missing or of the wrong kind makes it deny', () => {
    const missing = applyRule(rule({ when: { 'dataset.checksum': 'abc' } }), facts);
    expect(missing).toMatchObject({
      result: 'unknown',
      reason: expect.stringContaining('dataset.checksum is not known'),
    });
    const wrongKind = applyRule(rule({ when: { 'dataset.level': { gte: 2 } } }), facts);
    expect(wrongKind.result).toBe('unknown');
    // A guard that fails first stops evaluation: the missing fact is never read.
    expect(
      applyRule(rule({ when: { all: [{ 'job.kind': 'train' }, { 'dataset.checksum': 'x' }] } }), facts).result,
    ).toBe('allowed');
  });

  it('takes the year in Asia/Shanghai, without a clock', () => {
    // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Shanghai.
    expect(yearOf(1_767_198_600)).toBe(2026);
    expect(yearOf(1_767_198_600, 0)).toBe(2025);
    expect(yearOf(0, 0)).toBe(1970);
    expect(yearOf(951_782_400, 0)).toBe(2000); // 2000-02-29
  });
});
