import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { defaultConfig, getValidator, leaves } from "../../src/config/schema.js";

const EXAMPLE = fileURLToPath(new URL("../../board/callbackd.default.json", import.meta.url));

t.test("board/callbackd.default.json validates and equals the defaults", async (t) => {
    const raw = JSON.parse(readFileSync(EXAMPLE, "utf8")) as unknown;
    t.ok(getValidator()(raw), "validates against the schema");
    t.same(raw, defaultConfig(), "same values as the defaults");
    t.same(loadConfig({ file: EXAMPLE, env: {} }), loadConfig({ env: {} }));
});

t.test("the example shows every key", async (t) => {
    const raw = JSON.parse(readFileSync(EXAMPLE, "utf8")) as Record<string, Record<string, unknown>>;
    for (const { path } of leaves()) {
        const [section, key] = path.split(".") as [string, string | undefined];
        // A top-level leaf (the static directory) is a section of its own.
        t.ok(
            key === undefined
                ? Object.hasOwn(raw, section)
                : raw[section] !== undefined && Object.hasOwn(raw[section], key),
            path,
        );
    }
});
