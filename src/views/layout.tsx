// The page shell: dark theme, navigation, the signed-in user and the logout form.

import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { Role } from "../lib/roles";

export interface Viewer {
  username: string;
  role: Role;
  /** Present for session users; bearer-token visitors have no CSRF token and no logout. */
  csrf?: string;
}

export interface LayoutProps {
  title: string;
  viewer?: Viewer;
  /** Extra scripts from /js or /vendor, loaded deferred. */
  scripts?: string[];
  styles?: string[];
  children?: Child;
}

const NAV: [string, string][] = [
  ["/", "Home"],
  ["/studio/social/telegram-stats/", "Statistics"],
  ["/telegram/channel-stats/", "Channel stats"],
  ["/telegram/send-message/", "Send"],
  ["/telegram/background-tasks/", "Tasks"],
  ["/telegram/broadcasts/", "Broadcasts"],
  ["/admin/bots/", "Bots"],
  ["/admin/chats/", "Chats"],
  ["/admin/users/", "Users"],
  ["/admin/messages/", "Messages"],
  ["/admin/commands/", "Commands"],
  ["/admin/sessions/", "Sessions"],
  ["/admin/content/", "Content"],
  ["/admin/feedback/", "Feedback"],
  ["/admin/ai/", "AI"],
];
/** Pages only admins may open (src/middleware/access.ts): not offered to others. */
const ADMIN_NAV: [string, string][] = [
  ["/admin/staff/", "Staff"],
  ["/admin/tokens/", "API tokens"],
];
const navFor = (v: Viewer) => (v.role === "admin" ? [...NAV, ...ADMIN_NAV] : NAV);

export function Layout(p: LayoutProps) {
  const body = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <title>{`${p.title} · Telegram platform`}</title>
        <link rel="stylesheet" href="/css/app.css" />
        {(p.styles ?? []).map((s) => (
          <link rel="stylesheet" href={s} />
        ))}
        {p.viewer?.csrf ? <meta name="csrf-token" content={p.viewer.csrf} /> : null}
        <script src="/js/app.js" defer></script>
        {(p.scripts ?? []).map((s) => (
          <script src={s} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {p.viewer ? (
          <header class="topbar">
            <details class="menu">
              <summary>Menu</summary>
              <nav aria-label="Main menu">
                {navFor(p.viewer).map(([href, label]) => (
                  <a href={href}>{label}</a>
                ))}
              </nav>
            </details>
            <span class="brand">Telegram platform</span>
            <span class="who">
              {p.viewer.username} <small>({p.viewer.role})</small>
            </span>
            {p.viewer.csrf ? (
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={p.viewer.csrf} />
                <button type="submit" class="btn small">
                  Log out
                </button>
              </form>
            ) : null}
            <nav class="desk" aria-label="Main">
              {navFor(p.viewer).map(([href, label]) => (
                <a href={href}>{label}</a>
              ))}
            </nav>
          </header>
        ) : null}
        <main id="main" tabindex={-1}>
          <h1>{p.title}</h1>
          {p.children}
        </main>
      </body>
    </html>
  );
  return html`<!doctype html>${body}`;
}
