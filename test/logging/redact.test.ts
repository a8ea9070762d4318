import t from "tap";
import { CENSOR, isSecretKey, redactDeep, redactPaths, SECRET_KEYS } from "../../src/logging/redact.js";

t.test("secret keys", async (t) => {
    for (const k of SECRET_KEYS) t.ok(isSecretKey(k), k);
    t.ok(isSecretKey("Authorization"));
    t.ok(isSecretKey("PASSWORD"));
    t.notOk(isSecretKey("user"));
});

t.test("pino paths cover each key at several depths", async (t) => {
    const paths = redactPaths();
    t.ok(paths.includes("password"));
    t.ok(paths.includes("*.password"));
    t.ok(paths.includes("*.*.*.*.pushPassword"));
    t.ok(paths.includes("*.Authorization"));
    t.equal(new Set(paths).size, paths.length);
});

t.test("redactDeep", async (t) => {
    const cyclic: Record<string, unknown> = { token: "x" };
    cyclic.self = cyclic;
    const shared = { a: 1 };
    const out = redactDeep({ cyclic, shared1: shared, shared2: shared, n: 1, arr: [{ secret: 1 }, 2] });
    t.same(out, {
        cyclic: { token: CENSOR, self: "[Circular]" },
        shared1: { a: 1 },
        shared2: { a: 1 },
        n: 1,
        arr: [{ secret: CENSOR }, 2],
    });
    const proto = redactDeep(JSON.parse('{"__proto__": {"polluted": 1}}')) as Record<string, unknown>;
    t.ok(Object.hasOwn(proto, "__proto__"), "kept as data");
    t.equal(({} as Record<string, unknown>).polluted, undefined);
    t.equal(redactDeep("s"), "s");
    t.equal(redactDeep(null), null);
    t.match(redactDeep(new TypeError("bad")), { type: "TypeError", message: "bad" });
});
