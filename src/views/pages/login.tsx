import { Notice } from "../components";
import { Layout } from "../layout";

export interface LoginPageProps {
  csrf: string;
  next: string;
  username?: string;
  error?: string;
  info?: string;
}

export function LoginPage(p: LoginPageProps) {
  return (
    <Layout title="Staff login">
      <section class="card login">
        {p.error ? <Notice kind="error">{p.error}</Notice> : null}
        {p.info ? <Notice kind="ok">{p.info}</Notice> : null}
        <form method="post" action="/login" class="stack">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <input type="hidden" name="next" value={p.next} />
          <label for="username">Username</label>
          <input id="username" name="username" autocomplete="username" required value={p.username ?? ""} autofocus />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" class="btn primary">
            Log in
          </button>
        </form>
      </section>
    </Layout>
  );
}
