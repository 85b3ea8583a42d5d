import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@suanli/server';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWith } from './cli.fixture.ts';
import { runCli } from './run-cli.ts';

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'suanli-cli-'));
const EXAMPLES = fileURLToPath(new URL('../../../examples/jobs/', import.meta.url));
const spec = join(dir, 'job.yaml');
writeFileSync(
  spec,
  `name: llama-ft
kind: finetune
tenant: acme-ai
resources:
  accelerators: { H800: 8 }
gang: 2
durationS: 3600
`,
);

beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: join(dir, 'data'),
    speedup: 36000,
    cycleMs: 50,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await server.close();
});

const cli = cliWith(() => ({
  SUANLI_URL: server.url,
  SUANLI_HOME: join(dir, 'home'),
  SUANLI_TOKEN: server.operatorToken,
}));

describe('suanli CLI', () => {
  it('lists sites as a table and as JSON', async () => {
    const table = await cli('sites');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SITE\s+KIND/);
    expect(table.stdout).toContain('helinger');
    const json = await cli('sites', '--json');
    expect(JSON.parse(json.stdout)).toHaveLength(15);
  });

  it('takes a site out of service and back, cuts and restores a link, and refuses a bad call with exit 2', async () => {
    expect((await cli('health')).stdout.trim()).toBe('all 15 sites in service; no link cut');
    const out = await cli('health', 'site', 'zhongwei', '--out', '--reason', 'drill');
    expect(out).toMatchObject({ code: 0, stdout: 'zhongwei out of service: drill (declared by operator)\n' });
    expect((await cli('sites')).stdout).toMatch(/zhongwei .*out \(site-outage\)/);
    const cut = await cli('health', 'link', 'helinger', 'beijing', '--cut', '--reason', 'fibre');
    expect(cut.stdout).toContain('helinger–beijing cut: fibre');
    const h = await cli('health');
    expect(h.stdout).toMatch(
      /^14 of 15 sites in service\nsite zhongwei: out of service since .*Z \(site-outage\): drill/,
    );
    expect(h.stdout).toContain('link helinger–beijing: cut since');
    expect((await cli('health', 'site', 'zhongwei', '--in')).stdout).toBe('zhongwei in service\n');
    expect((await cli('health', 'link', 'beijing', 'helinger', '--in')).stdout).toBe('no link cut\n');
    const none = await cli('health', 'site', 'zhongwei');
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('give --out or --in');
    const unknown = await cli('health', 'site', 'atlantis', '--out');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no site atlantis');
  });

  it('lists services, shows one with its replicas, and routes a request', async () => {
    const file = join(dir, 'service.yaml');
    writeFileSync(
      file,
      `name: chat
kind: serve
tenant: acme-ai
exposure: internal
servesSector: research
resources: { accelerators: { H800: 8 } }
durationS: 2592000
service:
  replicas: { min: 2, max: 6 }
  target: { requestsPerS: 8 }
  slo: { ttftP95Ms: 650 }
  inferenceMs: 150
  demand:
    - { region: shanghai, requestsPerS: [${Array(24).fill(12).join(', ')}] }
`,
    );
    const submitted = await cli('submit', file, '--json');
    expect(submitted.code).toBe(0);
    const id = JSON.parse(submitted.stdout).id as string;
    // The scheduler loop scales it up and places its replicas.
    for (let i = 0; i < 100; i++) {
      const s = JSON.parse((await cli('service', id, '--json')).stdout);
      if (s.replicas.filter((r: { state: string }) => r.state === 'running').length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const list = await cli('services');
    expect(list.stdout).toMatch(
      new RegExp(`^ID\\s+NAME[\\s\\S]*${id}\\s+chat\\s+acme-ai\\s+2/2\\s+12\\.0\\s+met \\(650 ms\\)`),
    );
    const one = await cli('service', id, '--route', 'shanghai');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('SLO 650 ms to first token');
    expect(one.stdout).toMatch(/from shanghai: \S+\/j-\S+ \(\d+ ms to first token expected\)/);
    const bad = await cli('service', id, '--route', 'atlantis');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('atlantis is not a demand region');
    expect((await cli('cancel', id)).code).toBe(0);
  });

  it('bills what ran, proves the period, exports CSV and HTML, and runs prices, statements and vouchers', async () => {
    const file = join(dir, 'agri.yaml');
    writeFileSync(
      file,
      'name: crops\nkind: train\ntenant: agri-lab\nresources: { accelerators: { H20: 8 } }\ndurationS: 3600\n',
    );
    const id = JSON.parse((await cli('submit', file, '--json')).stdout).id as string;
    let bills: { tenant: string; period: string; lines: { jobId: string; meterId: string }[] }[] = [];
    for (let i = 0; i < 100 && !bills.some((b) => b.lines.some((l) => l.jobId === id)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      bills = JSON.parse((await cli('bills', '--json')).stdout);
    }
    const bill = bills.find((b) => b.tenant === 'agri-lab');
    expect(bill?.lines.map((l) => l.jobId)).toContain(id);
    const period = bill?.period ?? '';
    const table = await cli('bills', '--tenant', 'agri-lab', '--period', period);
    expect(table.stdout).toMatch(new RegExp(`^PERIOD\\s+TENANT[\\s\\S]*${period}\\s+agri-lab\\s+1\\s+8\\.00`));
    const verified = await cli('bills', 'verify', '--period', period);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(/^settlement verified for \d{4}-\d{2}: \d+ meter records/);
    expect(verified.stdout).toContain('meter records rebuilt from the log: identical');
    const csv = await cli('bills', '--csv', '--tenant', 'agri-lab');
    expect(csv.stdout.split('\n')[0]).toMatch(/^period,tenant,line,job,attempt,kind,site/);
    expect(csv.stdout).toContain(`,${id},1,train,`);
    const html = join(dir, 'bill.html');
    expect((await cli('bills', '--html', html, '--tenant', 'agri-lab')).stdout).toBe(`wrote ${html} (1 bills)\n`);
    expect(readFileSync(html, 'utf8')).toContain('@page { size: A4');
    expect((await cli('statements', '--period', period)).stdout).toMatch(/^statement \d{4}-\d{2} \S+: revenue ¥/);
    expect((await cli('prices')).stdout).toMatch(/zhongwei-h20\s+0\s+network file\s+\d+\.\d\d\s+flat/);
    const negative = await cli('prices', 'set', 'zhongwei-h20', '--yuan', '-1');
    expect(negative.code).toBe(2);
    expect((await cli('prices', 'set', 'zhongwei-h20', '--yuan', '4.20')).stdout).toMatch(
      /^zhongwei-h20: version 1 from /,
    );
    expect((await cli('programmes')).stdout).toMatch(/ai-plus-agriculture-2027\s+agriculture/);
    expect((await cli('sectors', '--period', period)).stdout).toMatch(
      /^SECTOR\s+TENANTS[\s\S]*\nagriculture\s+1\s+\d+\s+[\d.]+\s+8\.0\s/,
    );
    const issued = await cli('vouchers', 'issue', 'ai-plus-agriculture-2027', 'agri-lab', '--yuan', '20', '--json');
    const voucher = JSON.parse(issued.stdout).id as string;
    const redeemed = await cli('vouchers', 'redeem', voucher, '--period', period);
    expect(redeemed.stdout).toMatch(new RegExp(`^${voucher}: ¥20\\.00 redeemed, ¥0\\.00 left`));
    expect((await cli('vouchers')).stdout).toMatch(
      new RegExp(`${voucher}\\s+ai-plus-agriculture-2027\\s+agri-lab\\s+20\\.00\\s+20\\.00`),
    );
    const published = await cli(
      'offers',
      'publish',
      'zhongwei-h20',
      '--kind',
      'reserved',
      '--count',
      '64',
      '--yuan',
      '3.50',
      '--for',
      '30d',
      '--start-within',
      '15m',
      '--penalty',
      '50',
      '--json',
    );
    const offer = JSON.parse(published.stdout) as { id: string; uid: string };
    expect(offer.uid).toBe(`sl:cn-national:offer:${offer.id}`);
    expect((await cli('offers')).stdout).toMatch(
      new RegExp(`${offer.id}\\s+reserved\\s+zhongwei-h20\\s+64\\s+0\\s+3\\.50`),
    );
    const bought = await cli('contracts', 'buy', offer.id, '--count', '16', '--tenant', 'agri-lab');
    expect(bought.stdout).toMatch(
      /^c-\S+ \(sl:cn-national:contract:c-\S+\): 16 × zhongwei-h20 for agri-lab at ¥3\.50\/h/,
    );
    expect((await cli('contracts', 'buy', offer.id, '--count', '100', '--tenant', 'agri-lab')).stderr).toContain(
      'has 48 accelerators left',
    );
    expect(JSON.parse((await cli('id', 'sl:cn-national:pool:zhongwei-h20')).stdout)).toMatchObject({ kind: 'pool' });
    expect((await cli('id', 'sl:cn-national:pool:atlantis')).code).toBe(2);
    const ineligible = await cli('vouchers', 'issue', 'ai-plus-agriculture-2027', 'acme-ai', '--yuan', '1');
    expect(ineligible.code).toBe(2);
    expect(ineligible.stderr).toMatch(/^suanli: V01: tenant acme-ai is in sector internet.* \[VOUCHER_DENIED\]\n$/);
  });

  it('quotes, submits, shows and lists a job', async () => {
    const q = await cli('quote', spec);
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/^best/);
    expect(q.stdout).toContain('RANK');
    const s = await cli('submit', spec, '--json');
    expect(s.code).toBe(0);
    const id = JSON.parse(s.stdout).id as string;
    const j = await cli('job', id);
    expect(j.stdout).toContain(id);
    const jobs = await cli('jobs', '--json');
    expect(JSON.parse(jobs.stdout).map((x: { id: string }) => x.id)).toContain(id);
    const c = await cli('cancel', id);
    expect(c.stdout).toMatch(new RegExp(`^${id} (cancelled)`));
  });

  it('prints one line naming file, line and field for a bad spec, and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nkind: train\ntenant: t\nresources:\n  accelerators: { H100: 0 }\ndurationS: 60\n');
    const r = await cli('submit', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`suanli: ${bad}:5:19: resources.accelerators.H100: must be ≥ 1 [INVALID_FIELD]\n`);
  });

  it('exits 2 for a missing file, an unknown job, a bad option and an unknown command', async () => {
    const missing = await cli('submit', join(dir, 'nope.yaml'));
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('no such file');
    expect(await cli('job', 'j-nothing')).toMatchObject({
      code: 2,
      stderr: 'suanli: no job j-nothing [JOB_NOT_FOUND]\n',
    });
    expect((await cli('jobs', '--limit', 'many')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('checks network files offline', async () => {
    const bad = join(dir, 'net.yaml');
    writeFileSync(bad, 'name: n\nsites:\n  - id: Bad Id\n');
    const r = await cli('network', 'check', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^suanli: ${bad}:3:\\d+: sites\\[0\\]\\.id: .* \\[INVALID_NETWORK\\]\\n$`));
  });

  it('exits 1 when the server cannot be reached', async () => {
    let stderr = '';
    const code = await runCli(['jobs'], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
      env: { SUANLI_URL: 'http://127.0.0.1:9' },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('SERVER_UNREACHABLE');
  });

  it('explains a pending job, runs the optimizer, and checks profiles', async () => {
    const s = await cli('submit', spec, '--json');
    const id = JSON.parse(s.stdout).id as string;
    const why = await cli('why', id);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain(`${id}: `);
    const opt = await cli('optimize');
    expect(opt.code).toBe(0);
    expect(opt.stdout).toMatch(/^optimizer |^plan: /m);
    const profile = join(dir, 'profile.yaml');
    writeFileSync(profile, 'name: p\nqueueSort: priority-fifo\nplugins: [capacity-fit]\nscores: [cost-score]\n');
    expect((await cli('profile', 'check', profile)).stdout).toContain('profile p is valid');
    writeFileSync(profile, 'name: p\nqueueSort: priority-fifo\nplugins: [capacity-fit]\nscores: [costscore]\n');
    const bad = await cli('profile', 'check', profile);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[INVALID_PROFILE]');
  });

  it('lists the rules, the catalog and the registry, and dry-runs a job against the rules', async () => {
    const rules = await cli('policies', 'list');
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^policy china v1, \d+ rules/);
    expect(rules.stdout).toMatch(
      /R01\s+placement\s+require\s+Core data stays at approved mainland sites\s+Data Security Law Art. 21/,
    );
    const test = await cli('policies', 'test', join(EXAMPLES, 'medical-imaging-train.yaml'));
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('admission: allowed');
    expect(test.stdout).toMatch(/hong-kong\s+R02: dataset medical-imaging-sh is important data/);
    const datasets = await cli('datasets');
    expect(datasets.stdout).toMatch(/medical-imaging-sh\s+important\s+sensitive\s+250,000/);
    const models = await cli('models');
    expect(models.stdout).toMatch(/acme-chat-ft\s+generative\s+acme-ai\s+\S+\s+other weights/);
  });

  it('refuses a job the rules deny: exit 2, one line naming the rule', async () => {
    const ok = await cli('submit', join(EXAMPLES, 'public-chat.yaml'));
    expect(ok.code).toBe(0);
    const unfiled = join(dir, 'unfiled.yaml');
    writeFileSync(
      unfiled,
      readFileSync(join(EXAMPLES, 'public-chat.yaml'), 'utf8').replace('model: acme-chat ', 'model: acme-chat-ft '),
    );
    const denied = await cli('submit', unfiled);
    expect(denied.code).toBe(2);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
    expect(denied.stderr).toMatch(/R12: the weights of acme-chat-ft .* \[POLICY_DENIED\]/);
  });

  it('runs a fairness audit from a CSV', async () => {
    const csv = join(dir, 'scores.csv');
    const lines = ['prediction,label,group'];
    for (let i = 0; i < 40; i++) lines.push(`${i % 2},${i % 2},north`, `${i % 4 === 0 ? 1 : 0},${i % 2},south`);
    writeFileSync(csv, lines.join('\n'));
    const r = await cli('models', 'audit', 'claims-scorer', csv, '--sector', 'finance');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fairness audit of claims-scorer for finance: FAILED \(80 rows\)/);
    expect(r.stdout).toMatch(/disparate impact ratio\s+0\.500/);
    expect((await cli('models', 'audit', 'claims-scorer', csv, '--sector', 'fishing')).code).toBe(2);
  });

  it('verifies the audit log: pins the key, then checks each new head extends the pinned one', async () => {
    const first = await cli('audit', 'verify');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^audit log OK: \d+ entries, chain intact, signed tree head [0-9a-f]{64}/);
    expect(first.stdout).toContain('(first use)');
    expect(JSON.parse(readFileSync(join(dir, 'home', 'known-logs.json'), 'utf8'))[server.url]).toMatchObject({
      logId: 'suanli',
      head: { treeSize: expect.any(Number) },
    });
    await cli('submit', spec);
    const second = await cli('audit', 'verify');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('consistent with the head pinned before');
    const proof = await cli('audit', 'proof', '1');
    expect(proof.code).toBe(0);
    // Entry 1: the operator token the server made on its first start (its hash, never the token).
    expect(proof.stdout).toMatch(/^entry 1 \(token\.created operator\) is in the signed tree of \d+ entries/);
    expect((await cli('audit', 'proof', 'x')).code).toBe(2);
    const offline = await cli('audit', 'verify', '--data', join(dir, 'data'));
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`extends the head pinned from ${server.url}`);
  });

  it('finds an entry changed behind its back, online and offline', async () => {
    const db = new Database(join(dir, 'data', 'suanli.db'));
    db.prepare(`UPDATE audit SET subject = 'someone-else' WHERE seq = 1`).run();
    db.close();
    const online = await cli('audit', 'verify');
    expect(online.code).toBe(1);
    expect(online.stdout).toMatch(/BROKEN: entry 1: entry 1 was changed after it was written/);
    const offline = await cli('audit', 'verify', '--data', join(dir, 'data'));
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain('BROKEN');
  });
});
