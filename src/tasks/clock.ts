// The clock moved to lib/clock.ts so ai/ can take it without importing tasks/; this name
// stays for the coordinator and the tests that import it from here.
export { type Clock, FakeClock, systemClock } from "../lib/clock";
