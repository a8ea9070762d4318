import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { CallbackdError } from "../../src/errors.js";
import { ConfigControl, type ReportedConfig } from "../../src/mgmt/configControl.js";

class ApplyError extends CallbackdError {}

function setup(readOnly = false) {
    const boot = loadConfig({ env: {} });
    const applied: Array<{ next: Config; keys: string[] }> = [];
    const results: Array<ReportedConfig | null> = [];
    let fail: Error | null = null;
    const c = new ConfigControl({
        boot,
        apply: async (next, changes) => {
            if (fail !== null) throw fail;
            applied.push({ next, keys: changes.map((x) => x.key) });
        },
        readOnly: () => readOnly,
        now: () => 42,
        onDesiredResult: (r) => results.push(r),
    });
    return { c, boot, applied, results, fail: (e: Error | null) => (fail = e) };
}

t.test("a desired version is validated, applied and reported", async (t) => {
    const { c, applied, results } = setup();
    t.match(c.reported, { version: 0, status: "applied", appliedVersion: 0, errors: [], pending: [], ts: 42 });
    const hash0 = c.reported.hash;
    const r = await c.applyDesired({ version: 1, config: { log: { level: "debug" }, cti: { port: 2749 } } });
    t.match(r, {
        version: 1,
        status: "applied",
        appliedVersion: 1,
        errors: [],
        changes: ["log.level", "cti.port"],
        pending: [{ key: "cti.port", running: 2748, configured: 2749 }],
    });
    t.not(r?.hash, hash0);
    t.equal(c.current.log.level, "debug");
    t.ok(Object.isFrozen(c.current.log), "the accepted configuration is frozen");
    t.same(applied[0]?.keys, ["log.level", "cti.port"]);
    t.same(results, [null]);
    t.equal(
        await c.applyDesired({ version: 1, config: { cti: { port: 2749 }, log: { level: "debug" } } }),
        null,
        "a redelivery is ignored",
    );
    // desired is relative to the start configuration: what it no longer names goes back
    const r2 = await c.applyDesired({ version: 2, config: { cti: { port: 2749 } } });
    t.match(r2, { version: 2, status: "applied", changes: ["log.level"] });
    t.equal(c.current.log.level, "info");
    t.equal(c.appliedVersion, 2);
});

t.test("a rejected configuration leaves the running one untouched", async (t) => {
    const { c, applied, results } = setup();
    await c.applyDesired({ version: 1, config: { log: { level: "warn" } } });
    const before = c.current;
    const r = await c.applyDesired({ version: 2, config: { cti: { port: 0, bogus: 1 }, log: { level: "debug" } } });
    t.match(r, { version: 2, status: "rejected", code: "bad_request", appliedVersion: 1, changes: [] });
    t.same(r?.errors.map((e) => e.key).sort(), ["cti.bogus", "cti.port"]);
    t.equal(c.current, before);
    t.equal(c.current.log.level, "warn", "not even the valid part is applied");
    t.equal(applied.length, 1);
    t.equal(results.length, 2);
    t.equal(results[1]?.status, "rejected");
    t.match(await c.applyDesired({ version: 3, config: { log: { level: "error" } } }), {
        status: "applied",
        appliedVersion: 3,
    });
    t.equal(results[2], null, "a later good version clears the rejection");
});

t.test("versions must increase; malformed documents are rejected", async (t) => {
    const { c } = setup();
    await c.applyDesired({ version: 5, config: {} });
    t.match(await c.applyDesired({ version: 5, config: { log: { level: "debug" } } }), {
        status: "rejected",
        code: "conflict",
        errors: [{ key: "version" }],
    });
    t.match(await c.applyDesired({ version: 4, config: {} }), { code: "conflict" });
    t.match(await c.applyDesired({ version: -1, config: {} }), {
        status: "rejected",
        code: "bad_request",
        version: -1,
    });
    t.match(await c.applyDesired({ version: 6 }), { code: "bad_request", version: 6 });
    t.match(await c.applyDesired("not JSON"), { code: "bad_request" });
    t.match(await c.applyDesired({ version: 1.5, config: {} }), { code: "bad_request" });
    t.equal(await c.applyDesired(null), null, "an empty retained message clears nothing");
    t.equal(c.appliedVersion, 5);
});

t.test("the service may refuse; read-only refuses everything", async (t) => {
    const { c, fail } = setup();
    fail(new ApplyError("CONFIG_APPLY_STATE", "cannot change now", { errors: [{ key: "cti.port", reason: "busy" }] }));
    t.match(await c.applyDesired({ version: 1, config: { log: { level: "debug" } } }), {
        status: "rejected",
        code: "conflict",
        errors: [{ key: "cti.port", reason: "busy" }],
    });
    fail(new Error("boom"));
    t.match(await c.applyDesired({ version: 2, config: { log: { level: "debug" } } }), {
        code: "internal",
        errors: [{ key: "(root)", reason: /could not apply/ }],
    });
    t.equal(c.current.log.level, "info");
    const ro = setup(true);
    t.match(await ro.c.applyDesired({ version: 1, config: {} }), { status: "rejected", code: "forbidden" });
    await t.rejects(ro.c.setParameter("log.level", "debug"), { code: "forbidden" });
});

t.test("changes are serialised", async (t) => {
    const { c, applied } = setup();
    await Promise.all([
        c.setParameter("log.level", "debug"),
        c.applyDesired({ version: 1, config: { log: { pretty: true } } }),
        c.setParameter("log.level", "trace"),
    ]);
    t.equal(applied.length, 3);
    t.equal(c.current.log.level, "trace");
    t.equal(c.current.log.pretty, true);
    const d = c.describe();
    t.equal(d.version, 1);
    t.same(d.pending, []);
});

t.test("the proposed mqtt config section", async (t) => {
    const { Ajv } = await import("ajv");
    const { MQTT_SECTION_SCHEMA, mqttOptionsFromSection } = await import("../../src/mgmt/config.js");
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const k of ["requiresRestart", "unit", "patternHint"]) ajv.addKeyword({ keyword: k });
    const validate = ajv.compile(MQTT_SECTION_SCHEMA);
    const defaults = Object.fromEntries(
        Object.entries(MQTT_SECTION_SCHEMA.properties ?? {}).map(([k, v]) => [k, v.default]),
    ) as unknown as import("../../src/mgmt/config.js").MqttSectionConfig;
    t.ok(validate(defaults), "the defaults are valid");
    t.notOk(validate({ ...defaults, url: "http://x" }));
    t.notOk(validate({ ...defaults, site: "Bad Site" }));
    t.same(mqttOptionsFromSection(defaults), {
        site: "site",
        node: "callbackd",
        broker: { url: "mqtt://127.0.0.1:1883", protocolVersion: 5, willDelayS: 0 },
        readOnly: false,
        telemetryIntervalMs: 60_000,
        encoding: "json",
    });
    const o = mqttOptionsFromSection(
        {
            ...defaults,
            url: "mqtts://b:8883",
            username: "u",
            password: "p",
            caFile: "/ca",
            certFile: "/c",
            keyFile: "/k",
        },
        (f) => `PEM ${f}`,
    );
    t.same(o.broker, {
        url: "mqtts://b:8883",
        protocolVersion: 5,
        willDelayS: 0,
        username: "u",
        password: "p",
        tls: { ca: "PEM /ca", cert: "PEM /c", key: "PEM /k" },
    });
    t.same(mqttOptionsFromSection({ ...defaults, caFile: "/ca" }, (f) => f).broker.tls, { ca: "/ca" });
});

t.test("set-parameter refuses what a start would refuse (issue T item 9)", async (t) => {
    const applied: unknown[] = [];
    const cc = new ConfigControl({ boot: loadConfig({ env: {} }), apply: (next) => void applied.push(next) });
    await t.rejects(cc.setParameter("phones.pushUrl", "ftp://{ip}/CGI/Execute"), {
        code: "bad_request",
        message: /phones\.pushUrl: must be an http/,
    });
    await t.rejects(cc.setParameter("http.listen", "0.0.0.0:99999"), { code: "bad_request" });
    t.same(applied, [], "nothing applied");
});
