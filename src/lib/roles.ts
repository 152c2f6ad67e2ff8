// The three roles and what each may do. The route table in src/middleware/access.ts names
// one permission per route; this file says which role a permission needs.
export const ROLES = ["viewer", "staff", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, staff: 1, admin: 2 };

export function atLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

/** Every permission a route can require, and the least role that holds it. */
export const PERMISSIONS = {
  /** Any signed-in person: logging out. */
  session: "viewer",
  /** GET pages and GET API: statistics, chats, users, messages, bots, tasks, settings. */
  read: "viewer",
  /** Send a message as a bot. */
  send: "staff",
  /** Broadcasts and content notifications. */
  broadcast: "staff",
  /** Start and stop background tasks; refresh statistics. */
  tasks: "staff",
  /** Content items (news, posts the bots list). */
  content: "staff",
  /** Create and delete background tasks. */
  "tasks-manage": "admin",
  /** Create, change, activate and delete bots. */
  bots: "admin",
  /** Set and delete a bot's webhook at Telegram. */
  webhooks: "admin",
  /** Bot commands. */
  commands: "admin",
  /** AI settings of a bot. */
  ai: "admin",
  /** AI modes (named system prompts chats choose with /mode): content, like the texts staff keep. */
  "ai-modes": "staff",
  /** Staff accounts. */
  staff: "admin",
  /** Per-person API tokens. */
  tokens: "admin",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

export function allows(role: Role, permission: Permission): boolean {
  return atLeast(role, PERMISSIONS[permission]);
}
