// The Env type (src/env.ts) against what wrangler itself reads from wrangler.toml and
// .dev.vars.example (worker-configuration.d.ts, made by `npm run types`). CI checks that
// file is current (`wrangler types --check`) and compiles this one with tsconfig.env-check.json:
// a binding, variable or secret added to the config but not to Env fails here, by name.
import type { Env } from "../../src/env";

type MissingFromEnv = Exclude<keyof WorkerBindings, keyof Env>;
export const everyBindingIsInEnv: [MissingFromEnv] extends [never] ? true : MissingFromEnv = true;

// And the other way: what Env names beyond the config must be optional (set only when wanted).
type Extra = Exclude<keyof Env, keyof WorkerBindings>;
type RequiredExtra = { [K in Extra]-?: undefined extends Env[K] ? never : K }[Extra];
export const extrasAreOptional: [RequiredExtra] extends [never] ? true : RequiredExtra = true;
