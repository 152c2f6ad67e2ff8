// Finding bots by id or name through GET /api/bots.
import type { Api } from "./api";
import { ApiError } from "./errors";

/** The bot as GET /api/bots answers it (never its token). */
export interface Bot {
  id: number;
  name: string;
  tg_id: number | null;
  username: string | null;
  is_active: boolean;
  webhook_url: string | null;
  webhook_secret_set: boolean;
  created_at: number;
}

export async function listBots(api: Api): Promise<Bot[]> {
  return (await api.get<{ count: number; results: Bot[] }>("/api/bots")).results;
}

/** A bot by numeric id, name (exact, then case-insensitive) or @username. */
export async function resolveBot(api: Api, ref: string): Promise<Bot> {
  if (/^\d+$/.test(ref)) return api.get<Bot>(`/api/bots/${ref}`);
  const bots = await listBots(api);
  const lower = ref.toLowerCase();
  const found =
    bots.find((b) => b.name === ref) ??
    bots.find((b) => b.name.toLowerCase() === lower) ??
    bots.find((b) => b.username && `@${b.username.toLowerCase()}` === (lower.startsWith("@") ? lower : `@${lower}`));
  if (!found) {
    const known = bots.map((b) => b.name).join(", ") || "none yet";
    throw new ApiError(404, "NOT_FOUND", `No bot named "${ref}" (known bots: ${known})`);
  }
  return found;
}
