/** Sign in with an API token: the server answers with an HttpOnly session cookie. */
import { useState } from 'preact/hooks';
import { api, ApiProblem, type Whoami } from '../api';
import { href, navigate, type Route } from '../router';
import { ProblemBox } from '../ui';

export function SignInView({ route, who, onSignedIn }: { route: Route; who: Whoami | null; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const next = route.query.get('next');
  return (
    <section class="view sign-in">
      <h1>Sign in</h1>
      {who?.auth === 'off' ? <p class="note">This server does not ask for tokens: everyone may use it.</p> : null}
      {who?.name ? <p>Signed in as <strong>{who.name}</strong> ({who.scope}).</p> : null}
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            await api.signIn(token.trim());
            setToken('');
            onSignedIn();
            // Only a path inside the console; never an address elsewhere.
            navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : href('jobs'));
          } catch (err) {
            setProblem(err as ApiProblem);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="token"><span class="field-label">API token</span><span class="field-hint">Ask the administrator for one (subsetd tokens create).</span></label>
          <input id="token" type="password" autoComplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </div>
        <ProblemBox problem={problem} />
        <div class="actions"><button type="submit" class="primary" disabled={busy || !token.trim()}>Sign in</button></div>
      </form>
    </section>
  );
}
