/** Telegram's limit on a message's text, in UTF-16 code units (conservative: it counts characters). */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * Splits text into pieces of at most `limit` UTF-16 code units, preferring a
 * paragraph break, then a line break, then a space, and never cutting a
 * surrogate pair in two. The separator at a cut is dropped.
 */
export function splitText(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    const minCut = Math.floor(limit / 3); // do not make tiny pieces just to honour a separator
    let cut = -1;
    let skip = 0;
    for (const sep of ["\n\n", "\n", " "]) {
      const at = window.lastIndexOf(sep, limit - sep.length);
      if (at >= minCut) {
        cut = at;
        skip = sep.length;
        break;
      }
    }
    if (cut < 0) {
      cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep a high surrogate with its low half
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
