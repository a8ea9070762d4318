import t from "tap";
import type { Logger } from "../../src/logging/logger.js";
import { createMemoryDestination, createMemoryLogger, MemoryLogger, noopLogger } from "../../src/logging/memory.js";

/** A pure-core style function that takes the logging port. */
function core(log: Logger, n: number): number {
    log.debug({ n }, "computing");
    if (n < 0) log.warn("negative");
    return n * 2;
}

t.test("memory logger records entries for unit tests of the core", async (t) => {
    const log = createMemoryLogger();
    t.equal(core(log, -1), -2);
    t.same(log.entries, [
        { n: -1, level: "debug", msg: "computing" },
        { level: "warn", msg: "negative" },
    ]);
    t.same(log.messages(), ["computing", "negative"]);
    t.same(log.messages("warn"), ["negative"]);
    log.clear();
    t.same(log.entries, []);
});

t.test("levels filter like pino", async (t) => {
    const log = createMemoryLogger({ level: "warn" });
    log.trace("t");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    log.fatal("f");
    t.same(log.messages(), ["w", "e", "f"]);
    t.ok(log.isLevelEnabled("error"));
    t.notOk(log.isLevelEnabled("info"));
    t.notOk(log.isLevelEnabled("bogus"), "unknown level ranks as silent");
    log.level = "silent";
    log.fatal("gone");
    t.equal(log.entries.length, 3);
});

t.test("children share entries and add bindings", async (t) => {
    const root = new MemoryLogger({ bindings: { module: "cluster" } });
    const child = root.child({ device: "SEP0011" });
    child.info({ line: 1 }, "registered");
    t.same(root.entries, [{ module: "cluster", device: "SEP0011", line: 1, level: "info", msg: "registered" }]);
    t.type(child, MemoryLogger);
});

t.test("errors and secrets", async (t) => {
    const log = createMemoryLogger();
    log.error(new Error("boom"));
    log.error(new Error("boom2"), "with message");
    log.info({ phone: { pushPassword: "x" }, self: null }, "push");
    t.match(log.entries[0], { level: "error", msg: "boom", err: { type: "Error", message: "boom" } });
    t.match(log.entries[1], { msg: "with message", err: { message: "boom2" } });
    t.same(log.entries[2], { phone: { pushPassword: "[Redacted]" }, self: null, level: "info", msg: "push" });
    log.info({}, undefined);
    t.same(log.entries[3], { level: "info" });
    t.same(log.messages("info"), ["push", ""]);
});

t.test("noop logger discards", async (t) => {
    t.equal(core(noopLogger, 2), 4);
    noopLogger.info("x");
    noopLogger.error({}, "x");
    noopLogger.warn("x");
    noopLogger.trace("x");
    noopLogger.fatal("x");
    t.equal(noopLogger.child({ a: 1 }), noopLogger);
    t.notOk(noopLogger.isLevelEnabled("fatal"));
    t.equal(noopLogger.level, "silent");
});

t.test("memory destination keeps lines and parsed records", async (t) => {
    const dest = createMemoryDestination();
    dest.write('{"level":"info","msg":"a"}\n');
    dest.write("garbage\n");
    t.same(dest.entries, [
        { level: "info", msg: "a" },
        { level: "unknown", msg: "garbage\n" },
    ]);
    t.equal(dest.lines.length, 2);
    dest.clear();
    t.same(dest.lines, []);
    t.same(dest.entries, []);
});
