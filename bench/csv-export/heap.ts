// The Worker's V8 heap, through wrangler dev's inspector (Chrome DevTools Protocol):
// a full GC (via HeapProfiler.takeHeapSnapshot), then Runtime.getHeapUsage. RSS cannot tell garbage V8 has not
// collected yet from memory an export retains; the heap after a forced GC can.
import { connectInspector } from "../lib/inspector";

export { inspectorPort } from "../lib/inspector";

export interface HeapClient {
  /** Forces a full GC, then answers the heap in use (bytes). */
  usedAfterGc(): Promise<number>;
  /** The heap in use now (bytes), garbage included. */
  used(): Promise<number>;
  close(): void;
}

export async function connectHeap(port: number): Promise<HeapClient> {
  const { call, close } = await connectInspector(port);
  const used = async () => ((await call("Runtime.getHeapUsage")) as { usedSize: number }).usedSize;
  return {
    used,
    usedAfterGc: async () => {
      // workerd's inspector does not answer HeapProfiler.collectGarbage; a heap snapshot
      // runs a full GC first (its chunks arrive as events and are ignored here).
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return used();
    },
    close,
  };
}
