import { useCallback, useState } from 'react';
import { api } from './api.ts';
import { Governance } from './Governance.tsx';
import { JobDetail } from './JobDetail.tsx';
import { JobList } from './JobList.tsx';
import { type ColourBy, NetworkMap } from './NetworkMap.tsx';
import { Quotas } from './Quotas.tsx';
import { QuoteForm } from './QuoteForm.tsx';
import { JOB_STATES, type ViewId, viewOf } from './routes.ts';
import { SimulationReports } from './SimulationReports.tsx';
import { SitePage } from './SitePage.tsx';
import { Trends } from './Trends.tsx';
import { usePoll } from './use-poll.ts';
import { useRoute } from './use-route.ts';
import { WhyPending } from './WhyPending.tsx';

const VIEWS: readonly (readonly [Exclude<ViewId, 'site'>, string])[] = [
  ['network', 'Network and jobs'],
  ['quote', 'Quote and submit'],
  ['tenants', 'Tenants and quotas'],
  ['governance', 'Governance'],
  ['simulations', 'Simulation reports'],
];

export function App() {
  const sites = usePoll(api.sites, 2000);
  const links = usePoll(api.links, 60_000);
  const jobs = usePoll(api.jobs, 2000);
  // What is shown is in the address (#/jobs/ID, #/jobs?state=pending, #/quote …): bookmarks,
  // reloads, links and back/forward all work.
  const [route, go] = useRoute();
  const view = viewOf(route);
  const selected = route.view === 'job' ? route.jobId : undefined;
  const stateFilter = route.view === 'network' ? (route.state ?? '') : '';
  const setSelected = (jobId: string) => go({ view: 'job', jobId });
  const setStateFilter = (state: string) => go(state ? { view: 'network', state } : { view: 'network' });
  const [colourBy, setColourBy] = useState<ColourBy>('utilization');
  const shownJobs = (jobs.data ?? []).filter((j) => stateFilter === '' || j.state === stateFilter);
  const loadJob = useCallback(() => (selected ? api.job(selected) : Promise.resolve(undefined)), [selected]);
  const job = usePoll(loadJob, 2000);
  const all = sites.data ?? [];
  const total = all.reduce((n, s) => n + s.accelerators, 0);
  const used = all.reduce((n, s) => n + s.used, 0);
  return (
    <div className="app">
      <header>
        <h1>
          Suanli <span lang="zh">算力</span>
        </h1>
        <p className="muted">
          {all.length} sites · {total.toLocaleString('en-US')} accelerators · {used.toLocaleString('en-US')} in use ·{' '}
          {(jobs.data ?? []).length} jobs
        </p>
        {(sites.error ?? jobs.error) && <p role="alert">Cannot reach the API: {sites.error ?? jobs.error}</p>}
      </header>
      <nav aria-label="Views">
        {VIEWS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            aria-pressed={view === id}
            onClick={() => go(id === 'network' ? { view: 'network' } : { view: id })}
          >
            {label}
          </button>
        ))}
      </nav>
      {view === 'network' && (
        <main>
          <section className="panel map-panel" aria-label="Network map">
            <label>
              Colour sites by{' '}
              <select value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
                <option value="utilization">utilization</option>
                <option value="carbon">grid carbon</option>
              </select>
            </label>
            <NetworkMap sites={all} links={links.data ?? []} colourBy={colourBy} />
          </section>
          <section className="panel wide" aria-label="Trends">
            <Trends sites={all} jobs={jobs.data ?? []} />
          </section>
          <section className="panel" aria-label="Job list">
            <h2>Jobs</h2>
            <label>
              State{' '}
              <select value={stateFilter} onChange={(e) => setStateFilter(e.target.value)}>
                <option value="">all</option>
                {JOB_STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <JobList jobs={shownJobs} onSelect={setSelected} {...(selected ? { selected } : {})} />
          </section>
          {job.data && (
            <section className="panel wide" aria-label="Placement explanation">
              <JobDetail job={job.data} />
              {job.data.state === 'pending' && <WhyPending jobId={job.data.id} />}
              {['pending', 'scheduled', 'running'].includes(job.data.state) && (
                <button type="button" onClick={() => void api.cancel(job.data?.id ?? '')}>
                  Cancel job
                </button>
              )}
            </section>
          )}
        </main>
      )}
      {route.view === 'site' && (
        <main>
          {all.find((s) => s.id === route.siteId) ? (
            <SitePage
              site={all.find((s) => s.id === route.siteId) as (typeof all)[number]}
              jobs={jobs.data ?? []}
              links={links.data ?? []}
              onSelectJob={setSelected}
            />
          ) : (
            <p className="empty">{sites.data ? `No site ${route.siteId} in this network.` : 'Loading…'}</p>
          )}
        </main>
      )}
      {view === 'quote' && (
        <main>
          <section className="panel wide" aria-label="Quote and submit">
            <h2>Quote and submit</h2>
            <QuoteForm onSubmitted={(id) => setSelected(id)} />
          </section>
        </main>
      )}
      {view === 'tenants' && (
        <main>
          <section className="panel wide" aria-label="Tenants and quotas">
            <h2>Tenants and quotas</h2>
            <Quotas />
          </section>
        </main>
      )}
      {view === 'simulations' && (
        <main>
          <section className="panel wide" aria-label="Simulation reports">
            <h2>Simulation reports</h2>
            <SimulationReports />
          </section>
        </main>
      )}
      {view === 'governance' && (
        <main>
          <section className="panel wide" aria-label="Governance">
            <Governance />
          </section>
        </main>
      )}
    </div>
  );
}
