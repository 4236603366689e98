/**
 * The console's shell: header navigation, who is signed in, and the view the URL names.
 * Routes (below the <base href>, e.g. /ui/ or /api/ui/): jobs, jobs/ID, new?process=ID, admin, sign-in.
 */
// OpenLayers' stylesheet here, not beside the lazily loaded map: a split chunk's CSS is not loaded.
import 'ol/ol.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized, type Whoami } from './api';
import { currentRoute, href, interceptLinks, navigate, useRoute } from './router';
import { AdminView } from './views/admin';
import { JobView } from './views/job';
import { JobsView } from './views/jobs';
import { NewJobView } from './views/new-job';
import { SignInView } from './views/sign-in';

function App() {
  const route = useRoute();
  const [who, setWho] = useState<Whoami | null>(null);
  // Views wait for whoami, so a signed-out visitor meets the sign-in view, not a burst of 401s.
  const [known, setKnown] = useState(false);
  const refreshWho = () =>
    api
      .whoami()
      .then(setWho)
      .catch(() => setWho(null))
      .finally(() => setKnown(true));
  useEffect(() => {
    refreshWho();
    return onUnauthorized(() => {
      // The session ended (or never was): sign in, then come back here.
      if (currentRoute().path !== 'sign-in') navigate(href('sign-in', { next: location.pathname + location.search }));
      refreshWho();
    });
  }, []);
  // Tokens required and nobody signed in: only the sign-in view is of use.
  const mustSignIn = who?.auth === 'tokens' && who.anonymous === 'none' && !who.name;
  const [section, id] = route.path.split('/');
  useEffect(() => {
    const titles: Record<string, string> = { '': 'Jobs', jobs: id ? `Job ${id.slice(0, 8)}` : 'Jobs', new: 'New job', admin: 'Admin', 'sign-in': 'Sign in' };
    document.title = `${titles[section] ?? 'Not found'} · subsetd`;
  }, [route.path]);

  let view;
  if (!known) view = <section class="view"><p class="muted">Loading…</p></section>;
  else if (mustSignIn || section === 'sign-in') view = <SignInView route={route} who={who} onSignedIn={refreshWho} />;
  else if (section === '' || (section === 'jobs' && !id)) view = <JobsView route={route} />;
  else if (section === 'jobs') view = <JobView id={id} />;
  else if (section === 'new') view = <NewJobView route={route} />;
  else if (section === 'admin') view = <AdminView />;
  else view = <section class="view"><h1>Not found</h1><p>There is no page “{route.path}”. <a href={href('jobs')}>See all jobs</a>.</p></section>;

  const nav = (to: string, label: string, active: boolean) => (
    <a href={href(to)} aria-current={active ? 'page' : undefined}>{label}</a>
  );
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={href('jobs')}>subsetd</a>
        <nav aria-label="Console">
          {nav('jobs', 'Jobs', section === '' || section === 'jobs')}
          {nav('new', 'New job', section === 'new')}
          {who?.scope === 'admin' ? nav('admin', 'Admin', section === 'admin') : null}
        </nav>
        <div class="who">
          {who?.auth === 'tokens' ? (
            who.name ? (
              <>
                <span>{who.name} <span class="muted">({who.scope})</span></span>
                <button type="button" class="link" onClick={() => api.signOut().finally(() => { refreshWho(); navigate(href('sign-in')); })}>Sign out</button>
              </>
            ) : (
              <a href={href('sign-in')}>Sign in</a>
            )
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{view}</main>
    </>
  );
}

interceptLinks();
render(<App />, document.getElementById('app')!);
