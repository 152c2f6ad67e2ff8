// The layer rules of README's "Architecture" section, checked by `npm run lint:deps` in CI.
// Imports go one way: routes/ -> services/ -> coordinator/ -> tasks/, stats/ -> telegram/ -> ai/
// -> db/ -> lib/. tsPreCompilationDeps makes type-only imports count too, so a type cannot
// smuggle an upward edge or a cycle past the check; the one rule that cares (the Durable
// Object class) tells them apart with dependencyTypes "type-only".
// middleware/ is HTTP, beside routes/: it may call services (sessions, API tokens).
const LOWER_THAN_SERVICES = "^src/(coordinator|tasks|stats|telegram|ai|db|lib|views)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import circles, type-only ones included: each file can be read after what it imports.",
      from: {},
      to: { circular: true },
    },
    {
      name: "db-imports-only-lib",
      severity: "error",
      comment: "db/ (schema, client, queries) sits on lib/ and npm packages only; it never builds Telegram clients or calls up.",
      from: { path: "^src/db/" },
      to: { path: "^src/", pathNot: ["^src/(db|lib)/"] },
    },
    {
      name: "lib-imports-only-lib",
      severity: "error",
      comment:
        "lib/ is the ground floor (crypto, errors, logging, validation, roles, the clock, the Bot API types, text splitting): it imports no other layer.",
      from: { path: "^src/lib/" },
      to: { path: "^src/", pathNot: "^src/lib/" },
    },
    {
      name: "views-not-routes",
      severity: "error",
      comment: "views/ render what they are given; types they need live in the layer that makes the data.",
      from: { path: "^src/views/" },
      to: { path: "^src/routes/" },
    },
    {
      name: "telegram-and-ai-not-coordinator",
      severity: "error",
      comment: "telegram/ and ai/ get ports from the coordinator; they never import it.",
      from: { path: "^src/(telegram|ai)/" },
      to: { path: "^src/coordinator/" },
    },
    {
      name: "only-index-imports-the-durable-object",
      severity: "error",
      comment: "Only index.ts imports the BotCoordinator class (to export it); others use coordinator/stub.ts.",
      from: { pathNot: ["^src/index\\.ts$", "^src/coordinator/stub\\.ts$"] },
      to: { path: "^src/coordinator/bot-coordinator\\.ts$" },
    },
    {
      name: "stub-imports-the-durable-object-as-a-type",
      severity: "error",
      comment: "The stub names the class only as a type, so importing the stub does not pull the class in.",
      from: { path: "^src/coordinator/stub\\.ts$" },
      to: { path: "^src/coordinator/bot-coordinator\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "lower-layers-not-routes",
      severity: "error",
      comment: "Nothing under the routes imports them (or the app that mounts them).",
      from: { path: ["^src/services/", LOWER_THAN_SERVICES] },
      to: { path: ["^src/routes/", "^src/(app|index|scheduled)\\.ts$"] },
    },
    {
      name: "lower-layers-not-services",
      severity: "error",
      comment: "services/ hold the domain rules for the routes; the layers under them get ports instead.",
      from: { path: LOWER_THAN_SERVICES },
      to: { path: "^src/services/" },
    },
    {
      name: "telegram-ai-not-upper-tier",
      severity: "error",
      comment: "telegram/ and ai/ sit under coordinator/, tasks/ and stats/.",
      from: { path: "^src/(telegram|ai)/" },
      to: { path: "^src/(coordinator|tasks|stats)/" },
    },
    {
      name: "tasks-and-stats-not-coordinator",
      severity: "error",
      comment:
        "A task kind's run (tasks/) and the statistics (stats/) are what the coordinator runs; starting it is a service's job (services/tasks.ts).",
      from: { path: "^src/(tasks|stats)/" },
      to: { path: "^src/coordinator/" },
    },
    {
      name: "ai-not-telegram",
      severity: "error",
      comment: "ai/ sits under telegram/ (commands call the AI); the Bot API's types and text splitting it needs live in lib/.",
      from: { path: "^src/ai/" },
      to: { path: "^src/telegram/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "\\.d\\.ts$" },
  },
};
