// Generates lib/contracts.ts from lib/contracts.schema.json (itself generated from the
// Python contracts by `python -m contracts.schema_export`). Wire types are never written
// by hand. With --check, exits 1 when the committed file is stale (make test runs this).
import { readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

const here = new URL("../lib/", import.meta.url);
const schema = JSON.parse(await readFile(new URL("contracts.schema.json", here), "utf8"));
const banner =
  "/* Generated from packages/contracts by `make contracts`; do not edit by hand. */";
const generated = await compile(schema, "Contracts", {
  bannerComment: banner,
  additionalProperties: false,
  unreachableDefinitions: true,
  format: true,
  style: { singleQuote: false, semi: true },
});
const target = new URL("contracts.ts", here);
if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== generated) {
    console.error("frontend/lib/contracts.ts is stale: run `make contracts` and commit it");
    process.exit(1);
  }
  console.log("frontend/lib/contracts.ts is up to date");
} else {
  await writeFile(target, generated);
  console.log("wrote frontend/lib/contracts.ts");
}
