// `cvae bench [SUITE [ARGS...]]` (npm run bench -- SUITE): bin/cvae.js hands the command
// here, so the library never depends on its benchmarks. All suites run when none is named.
import { SUITES } from "./index";

export async function main(argv: string[]): Promise<number> {
  const [suite, ...args] = argv;
  if (suite === "--help" || suite === "-h") {
    console.log(
      `cvae bench: benchmarks\n\nusage: cvae bench [SUITE [ARGS...]]  (npm run bench -- SUITE)\n\nsuites:\n${Object.entries(SUITES)
        .map(([name, s]) => `  ${name.padEnd(12)}${s.summary}`)
        .join("\n")}`,
    );
    return 0;
  }
  if (suite && !SUITES[suite]) {
    console.error(`cvae bench: unknown suite "${suite}"; suites: ${Object.keys(SUITES).join(", ")}`);
    return 2;
  }
  for (const name of suite ? [suite] : Object.keys(SUITES)) {
    console.log(`\n== bench ${name}: ${SUITES[name].summary}`);
    try {
      await SUITES[name].run(suite ? args : []);
    } catch (err) {
      // Bad arguments and failed reference runs are reported as one message, not a stack trace.
      console.error(err instanceof Error ? err.message : String(err));
      return 1;
    }
  }
  return 0;
}
