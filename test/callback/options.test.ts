import t from "tap";
import {
    compileModels,
    DEFAULT_ENGINE_OPTIONS,
    engineOptionsFromConfig,
    modelAllowed,
} from "../../src/callback/options.js";
import { loadConfig } from "../../src/config/load.js";
import { findParameter } from "../../src/config/parameters.js";
import { requiresRestart } from "../../src/config/schema.js";

t.test("defaults come from the parameter table (callback section)", async (t) => {
    const rows: [string, number | string | boolean][] = [
        ["guardTimeMs", 3000],
        ["protectionWindowMs", 20000],
        ["recallWindowMs", 300000],
        ["busyExpiryMin", 60],
        ["noAnswerExpiryMin", 120],
        ["maxActivePerCaller", 1],
        ["maxQueuePerCallee", 5],
        ["maxRequests", 10000],
        ["callerUnregisteredGraceS", 600],
        ["callerModels", "7960,7940,7912,7905"],
        ["noAnswerRequiresUse", true],
        ["notifyRetryMs", 30000],
        ["notifyAttempts", 3],
    ];
    for (const [key, value] of rows) {
        const p = findParameter(`callback.${key}`);
        t.equal(p?.default, value, key);
        t.equal(p?.requiresRestart, false, `${key} changes live`);
        t.equal(requiresRestart(`callback.${key}`), false);
        t.equal(DEFAULT_ENGINE_OPTIONS[key as keyof typeof DEFAULT_ENGINE_OPTIONS], value);
    }
    t.equal(findParameter("callback.busyExpiryMin")?.unit, "min");
    t.equal(findParameter("callback.guardTimeMs")?.name, "Call Back Guard Timer");
});

t.test("engineOptionsFromConfig: the callback section plus Synchronous Request Time Out", async (t) => {
    const config = loadConfig({
        env: {},
        overrides: { callback: { guardTimeMs: 0 }, service: { synchronousRequestTimeoutMs: 5000 } },
    });
    const o = engineOptionsFromConfig(config);
    t.equal(o.guardTimeMs, 0);
    t.equal(o.persistTimeoutMs, 5000);
    t.equal(o.offerTtlMs, DEFAULT_ENGINE_OPTIONS.offerTtlMs);
    t.throws(() => loadConfig({ env: {}, overrides: { callback: { callerModels: "79/60" } } }), {
        code: "CONFIG_INVALID",
    });
    t.throws(() => loadConfig({ env: {}, overrides: { callback: { maxQueuePerCallee: 0 } } }), {
        code: "CONFIG_INVALID",
    });
    t.equal(loadConfig({ env: { CALLBACKD_CALLBACK_GUARD_TIME_MS: "1500" } }).callback.guardTimeMs, 1500);
});

t.test("caller models: word-start match, case-insensitive, * and unknown allow all", async (t) => {
    const seed = compileModels("7960, 7940,7912 ,7905");
    const cases: [string | null, boolean][] = [
        ["Cisco IP Phone 7960", true],
        ["Cisco IP Phone 7940", true],
        ["Cisco 7960G", true],
        ["Cisco IP Phone 7905", true],
        ["Cisco IP Phone 7970", false],
        ["Cisco IP Phone 79601", false],
        ["SEP17960", false],
        [null, true],
    ];
    for (const [model, allowed] of cases) t.equal(modelAllowed(model, seed), allowed, String(model));
    t.equal(compileModels("*"), null);
    t.equal(compileModels(" , "), null);
    t.ok(modelAllowed("Cisco IP Phone 7970", compileModels("*")));
    t.ok(modelAllowed("cisco ata 186", compileModels("ATA 186")));
    t.notOk(modelAllowed("Cisco IP Phone 7960", compileModels("a+b")), "regex characters are literal");
});
