import { useCallback, useState } from 'react';
import { AuditPage } from './AuditPage.tsx';
import { api, type Job, type Site } from './api.ts';
import { Billing } from './Billing.tsx';
import { Governance } from './Governance.tsx';
import { HistoryCharts } from './HistoryCharts.tsx';
import { JobDetail } from './JobDetail.tsx';
import { JobList } from './JobList.tsx';
import { type ColourBy, NetworkMap } from './NetworkMap.tsx';
import { Power } from './Power.tsx';
import { QuoteForm } from './QuoteForm.tsx';
import { JOB_STATES, type Route, routeHash, type ViewId, viewOf } from './routes.ts';
import { ServicePage, Services } from './Services.tsx';
import { SimulationPage, SimulationReports } from './SimulationReports.tsx';
import { SitePage } from './SitePage.tsx';
import { TenantPage, Tenants } from './Tenants.tsx';
import { Trends } from './Trends.tsx';
import { usePoll } from './use-poll.ts';
import { useRoute } from './use-route.ts';
import { Wall } from './Wall.tsx';
import { WhyPending } from './WhyPending.tsx';

const VIEWS: readonly (readonly [ViewId, string])[] = [
  ['network', 'Network and jobs'],
  ['services', 'Services'],
  ['quote', 'Quote and submit'],
  ['tenants', 'Tenants and quotas'],
  ['billing', 'Bills and market'],
  ['power', 'Power and grid'],
  ['governance', 'Governance'],
  ['simulations', 'Simulation reports'],
];

export function App() {
  // What is shown is in the address (#/jobs/ID, #/jobs?state=pending, #/wall …): bookmarks,
  // reloads, links and back/forward all work.
  const [route, go] = useRoute();
  // The wall display is a screen of its own, without the page's header and navigation.
  return route.view === 'wall' ? <Wall /> : <Console route={route} go={go} />;
}

function Console({ route, go }: { route: Route; go: (to: Route) => void }) {
  const sites = usePoll(api.sites, 2000);
  const links = usePoll(api.links, 60_000);
  const jobs = usePoll(api.jobs, 2000);
  const view = viewOf(route);
  const selectJob = (jobId: string) => go({ view: 'job', jobId });
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
          {(jobs.data ?? []).length} jobs · <a href={routeHash({ view: 'wall' })}>wall display</a>
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
      <main>
        <Body
          route={route}
          go={go}
          sites={all}
          sitesLoaded={!!sites.data}
          links={links.data ?? []}
          jobs={jobs.data ?? []}
          selectJob={selectJob}
        />
      </main>
    </div>
  );
}

function Body({
  route,
  go,
  sites,
  sitesLoaded,
  links,
  jobs,
  selectJob,
}: {
  route: Route;
  go: (to: Route) => void;
  sites: Site[];
  sitesLoaded: boolean;
  links: Parameters<typeof SitePage>[0]['links'];
  jobs: Job[];
  selectJob: (id: string) => void;
}) {
  switch (route.view) {
    case 'network':
      return <NetworkView route={route} go={go} sites={sites} links={links} jobs={jobs} selectJob={selectJob} />;
    case 'job':
      return <JobPage jobId={route.jobId} />;
    case 'site': {
      const site = sites.find((s) => s.id === route.siteId);
      return site ? (
        <SitePage site={site} jobs={jobs} links={links} onSelectJob={selectJob} />
      ) : (
        <p className="empty">{sitesLoaded ? `No site ${route.siteId} in this network.` : 'Loading…'}</p>
      );
    }
    case 'tenant':
      return <TenantPage tenantId={route.tenantId} onSelectJob={selectJob} />;
    case 'tenants':
      return (
        <section className="panel wide" aria-label="Tenants and quotas">
          <Tenants />
        </section>
      );
    case 'quote':
      return (
        <section className="panel wide" aria-label="Quote and submit">
          <h2>Quote and submit</h2>
          <QuoteForm onSubmitted={selectJob} />
        </section>
      );
    case 'governance':
      return (
        <section className="panel wide" aria-label="Governance">
          <Governance />
        </section>
      );
    case 'audit':
      return <AuditPage />;
    case 'simulations':
      return (
        <section className="panel wide" aria-label="Simulation reports">
          <h2>Simulation reports</h2>
          <SimulationReports />
        </section>
      );
    case 'simulation':
      return <SimulationPage reportId={route.reportId} />;
    case 'services':
      return <Services />;
    case 'billing':
      return <Billing />;
    case 'power':
      return <Power />;
    case 'service':
      return <ServicePage serviceId={route.serviceId} sites={sites} />;
    case 'wall':
      return null;
  }
}

function NetworkView({
  route,
  go,
  sites,
  links,
  jobs,
  selectJob,
}: {
  route: Extract<Route, { view: 'network' }>;
  go: (to: Route) => void;
  sites: Site[];
  links: Parameters<typeof NetworkMap>[0]['links'];
  jobs: Job[];
  selectJob: (id: string) => void;
}) {
  const [colourBy, setColourBy] = useState<ColourBy>('utilization');
  const stateFilter = route.state ?? '';
  const range = route.range ?? '1h';
  const with_ = (patch: { state?: string; range?: typeof range }) => {
    const state = patch.state ?? stateFilter;
    const r = patch.range ?? route.range;
    go({ view: 'network', ...(state ? { state } : {}), ...(r ? { range: r } : {}) });
  };
  const shownJobs = jobs.filter((j) => stateFilter === '' || j.state === stateFilter);
  return (
    <>
      <section className="panel map-panel" aria-label="Network map">
        <label>
          Colour sites by{' '}
          <select value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
            <option value="utilization">utilization</option>
            <option value="carbon">grid carbon now</option>
            <option value="price">electricity price now</option>
          </select>
        </label>
        <NetworkMap sites={sites} {...(links ? { links } : {})} colourBy={colourBy} />
      </section>
      <section className="panel wide" aria-label="History">
        <HistoryCharts range={range} onRange={(r) => with_({ range: r })} />
      </section>
      <section className="panel" aria-label="Job list">
        <h2>Jobs</h2>
        <label>
          State{' '}
          <select value={stateFilter} onChange={(e) => with_({ state: e.target.value })}>
            <option value="">all</option>
            {JOB_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <JobList jobs={shownJobs} onSelect={selectJob} />
      </section>
      <section className="panel wide" aria-label="Trends">
        <Trends jobs={jobs} />
      </section>
    </>
  );
}

/** One job (`#/jobs/ID`): its state, placement and explanation at the top of the page. */
function JobPage({ jobId }: { jobId: string }) {
  const job = usePoll(
    useCallback(() => api.job(jobId), [jobId]),
    2000,
  );
  if (job.error && !job.data) return <p role="alert">{job.error}</p>;
  if (!job.data) return <p className="empty">Loading…</p>;
  return (
    <section className="panel wide" aria-label="Placement explanation">
      <p>
        <a href={routeHash({ view: 'network' })}>← all jobs</a>
      </p>
      <JobDetail job={job.data} />
      {job.data.state === 'pending' && <WhyPending jobId={job.data.id} />}
      {['pending', 'scheduled', 'running'].includes(job.data.state) && (
        <button type="button" onClick={() => void api.cancel(job.data?.id ?? '')}>
          Cancel job
        </button>
      )}
    </section>
  );
}
