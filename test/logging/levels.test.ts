import t from "tap";
import { isLogLevel, isNamespace, LOG_LEVELS, parseLevel, SDI_TRACE_LEVELS } from "../../src/logging/levels.js";

t.test("parseLevel accepts pino and Cisco SDI names", async (t) => {
    for (const l of LOG_LEVELS) t.equal(parseLevel(l), l);
    t.equal(parseLevel(" DEBUG "), "debug");
    t.equal(parseLevel("Error"), "error");
    t.equal(parseLevel("Special"), "warn");
    t.equal(parseLevel("State Transition"), "info");
    t.equal(parseLevel("state_transition"), "info");
    t.equal(parseLevel("Significant"), "debug");
    t.equal(parseLevel("Entry/Exit"), "debug");
    t.equal(parseLevel("entry / exit"), "debug");
    t.equal(parseLevel("Arbitrary"), "trace");
    t.equal(parseLevel("Detailed"), "trace");
    t.equal(parseLevel("verbose"), undefined);
    t.equal(parseLevel("constructor"), undefined, "no prototype lookups");
    t.equal(Object.keys(SDI_TRACE_LEVELS).length, 7);
});

t.test("predicates", async (t) => {
    t.ok(isLogLevel("silent"));
    t.notOk(isLogLevel("loud"));
    t.notOk(isLogLevel(3));
    t.ok(isNamespace("wire.reassembly"));
    t.ok(isNamespace("a-b_c.d1"));
    t.notOk(isNamespace(""));
    t.notOk(isNamespace("a..b"));
    t.notOk(isNamespace(".a"));
    t.notOk(isNamespace("a b"));
});
