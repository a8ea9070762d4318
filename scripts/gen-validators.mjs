#!/usr/bin/env node
// After tsc, before copy-assets: writes the precompiled config validator (ajv standalone code of
// CONFIG_SCHEMA) to src/config/configValidator.generated.cjs, from the freshly built dist/, and rewrites the
// file only when its text changed. copy-assets.mjs then copies it into dist/config/. `--check` writes nothing
// and exits 1 when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { configValidatorSource, GENERATED_VALIDATOR_FILE } = await import(join(root, "dist/config/validatorSource.js"));
const file = join(root, "src/config", GENERATED_VALIDATOR_FILE);
const text = configValidatorSource();
let old = null;
try {
    old = readFileSync(file, "utf8");
} catch {
    // first build
}
if (old === text) process.exit(0);
if (process.argv.includes("--check")) {
    process.stderr.write(`${file} is stale: run npm run build\n`);
    process.exit(1);
}
writeFileSync(file, text);
process.stderr.write(`wrote ${file}\n`);
