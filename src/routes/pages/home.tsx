// GET / (and /studio/): the dashboard's home, linking every page.
import { count } from "drizzle-orm";
import { backgroundTasks, bots, chats, feedback } from "../../db/schema";
import { fmtNum } from "../../views/components";
import { type Ctx, pagesApp, render } from "./common";

const SECTIONS: [string, string, string][] = [
  ["/studio/social/telegram-stats/", "Statistics", "Chats, members, errors, charts and CSV export"],
  ["/telegram/channel-stats/", "Channel statistics", "The plain table, no JavaScript needed"],
  ["/telegram/send-message/", "Send a message", "Text, Markdown, photos and documents to a known chat"],
  ["/telegram/background-tasks/", "Background tasks", "Start and stop polling, AI chat, stats and broadcasts"],
  ["/admin/bots/", "Bots", "Add a bot, edit, activate, webhooks"],
  ["/admin/chats/", "Chats", "Every chat the bots know"],
  ["/admin/users/", "Users", "Telegram users who wrote to the bots"],
  ["/admin/messages/", "Messages", "Search stored messages"],
  ["/admin/commands/", "Commands", "The bots' commands and replies"],
  ["/admin/sessions/", "Sessions", "Dialog state per chat and user"],
  ["/admin/content/", "Content", "News and games the bots show"],
  ["/admin/feedback/", "Feedback", "What users sent with /feedback"],
  ["/admin/ai/", "AI settings", "Providers, models, quotas and usage per bot"],
  ["/admin/staff/", "Staff", "Dashboard accounts"],
];

async function home(c: Ctx) {
  const db = c.var.db;
  const [b, ch, t, f] = await Promise.all([
    db.select({ n: count() }).from(bots).get(),
    db.select({ n: count() }).from(chats).get(),
    db.select({ n: count() }).from(backgroundTasks).get(),
    db.select({ n: count() }).from(feedback).get(),
  ]);
  return render(
    c,
    { title: "Dashboard" },
    <>
      <section class="cards" aria-label="Overview">
        <div class="stat-card g1">
          <span>Bots</span>
          <strong>{fmtNum(b?.n)}</strong>
        </div>
        <div class="stat-card g2">
          <span>Chats</span>
          <strong>{fmtNum(ch?.n)}</strong>
        </div>
        <div class="stat-card g3">
          <span>Tasks</span>
          <strong>{fmtNum(t?.n)}</strong>
        </div>
        <div class="stat-card g4">
          <span>Feedback</span>
          <strong>{fmtNum(f?.n)}</strong>
        </div>
      </section>
      <ul class="tiles">
        {SECTIONS.map(([href, title, what]) => (
          <li>
            <a href={href}>
              <strong>{title}</strong>
              <span>{what}</span>
            </a>
          </li>
        ))}
      </ul>
    </>,
  );
}

export const homePages = pagesApp().get("/", home);
export const studioPages = pagesApp().get("/", home);
