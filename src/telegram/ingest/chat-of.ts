// The chat an update belongs to, read cheaply at accept time: the inbox keeps it so the
// drain handles each chat's updates in arrival order.
type Obj = Record<string, unknown> | undefined;

const idOf = (o: Obj): number | null => (o && typeof o.id === "number" ? o.id : null);

export function chatIdOf(update: Record<string, unknown>): number | null {
  for (const [k, v] of Object.entries(update)) {
    if (k === "update_id" || !v || typeof v !== "object") continue;
    const p = v as Record<string, unknown>;
    const chat = idOf(p.chat as Obj) ?? idOf((p.message as Obj)?.chat as Obj);
    if (chat !== null) return chat;
    // A callback without its message, an inline query...: the user's own stream.
    return idOf(p.from as Obj);
  }
  return null;
}
