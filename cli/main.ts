// Entry point of the operators' CLI: `npm run cli -- <command>` or the `tgp` bin.
import { run } from "./run";

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
