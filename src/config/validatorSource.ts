/**
 * Build-time half of the config validator: compiles CONFIG_SCHEMA with ajv and returns the validator as
 * standalone CommonJS source (ajv's `standalone` code generation). `scripts/gen-validators.mjs` writes it to
 * src/config/configValidator.generated.cjs (run by `npm run build` and `prepare`); at run time `getValidator`
 * (schema.ts) loads that file, so no process compiles the schema at start. Not imported by the service.
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { CONFIG_SCHEMA } from "./schema.js";

/** The file the generated validator is written to, relative to this module (src/config or dist/config). */
export const GENERATED_VALIDATOR_FILE = "configValidator.generated.cjs";

/** The ajv options the validator is compiled with (the error objects the messages are built from depend on them). */
export function configAjv(): Ajv {
    const ajv = new Ajv({
        allErrors: true,
        strict: true,
        allowUnionTypes: true,
        code: { source: true, esm: false, lines: true },
    });
    ajv.addKeyword({ keyword: "requiresRestart", schemaType: "boolean" });
    ajv.addKeyword({ keyword: "unit", schemaType: "string" });
    ajv.addKeyword({ keyword: "patternHint", schemaType: "string" });
    return ajv;
}

/**
 * The generated module's full text: a header, then ajv's standalone code of the compiled CONFIG_SCHEMA between
 * c8 ignore comments (3,000 lines of generated branches would otherwise weigh in the suite's coverage).
 */
export function configValidatorSource(): string {
    const ajv = configAjv();
    const validate = ajv.compile(CONFIG_SCHEMA);
    const version = (createRequire(import.meta.url)("ajv/package.json") as { version: string }).version;
    const header = [
        "// GENERATED FILE, do not edit: `npm run build` (scripts/gen-validators.mjs) writes it from CONFIG_SCHEMA",
        `// (src/config/schema.ts) with ajv ${version} standalone code; test/config/validatorSource.test.ts checks`,
        "// that it is up to date. Left out of test coverage (c8 ignore): it is ajv's code, not ours; the tests check",
        "// that it answers as ajv compiling the schema at run time does.",
    ].join("\n");
    return `${header}\n/* c8 ignore start */\n${standaloneCode.default(ajv, validate)}\n/* c8 ignore stop */\n`;
}
