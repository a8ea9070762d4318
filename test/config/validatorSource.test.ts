import { readFileSync } from "node:fs";
import t from "tap";
import { CONFIG_SCHEMA, defaultConfig, describeErrors, getValidator } from "../../src/config/schema.js";
import { configAjv, configValidatorSource, GENERATED_VALIDATOR_FILE } from "../../src/config/validatorSource.js";

const committed = new URL(`../../src/config/${GENERATED_VALIDATOR_FILE}`, import.meta.url);

t.test("the precompiled validator is up to date with the schema (regenerating gives identical output)", async (t) => {
    t.equal(
        configValidatorSource(),
        readFileSync(committed, "utf8"),
        "src/config/configValidator.generated.cjs is stale: run npm run build and commit it",
    );
});

t.test("the precompiled validator reports what a validator compiled at run time reports", async (t) => {
    const compiled = configAjv().compile(CONFIG_SCHEMA);
    const pre = getValidator();
    t.not(pre, compiled);
    const base = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
    const cases: unknown[] = [
        defaultConfig(),
        null,
        [],
        {},
        { ...base, extra: 1 },
        { ...base, capture: { ...base.capture, sccpPorts: [0, "x", 2000, 2000] } },
        { ...base, capture: { ...base.capture, interface: 7, snapLength: -1 } },
        { ...base, cti: { ...base.cti, port: 70000 } },
        { ...base, log: { ...base.log, level: "loud", modules: { "bad..ns": "info", wire: "nope" } } },
        { ...base, phones: { ...base.phones, audioFileName: "../x" } },
        { ...base, http: { ...base.http, listen: "nohost" } },
        { ...base, mqtt: { ...base.mqtt, password: 12 } },
    ];
    for (const [i, data] of cases.entries()) {
        const a = compiled(data);
        const b = pre(data);
        t.equal(b, a, `case ${i}: same verdict`);
        t.same(pre.errors ?? null, compiled.errors ?? null, `case ${i}: same error objects`);
        if (!a)
            t.same(describeErrors(pre.errors!, data), describeErrors(compiled.errors!, data), `case ${i}: messages`);
    }
});
