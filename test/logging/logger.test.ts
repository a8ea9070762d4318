import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";
import {
    configureLogging,
    getLogger,
    levels,
    loggingStats,
    prettyLine,
    resetLevel,
    resetLogging,
    setLevel,
} from "../../src/logging/logger.js";
import { createMemoryDestination } from "../../src/logging/memory.js";

t.beforeEach(() => resetLogging());

t.test("JSON lines with level label, ISO time, module and message", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest });
    const log = getLogger("wire.reassembly");
    log.info({ conn: "10.0.0.1:2000", bytes: 12 }, "gap skipped");
    log.debug("not at info");
    t.equal(dest.lines.length, 1);
    t.ok(dest.lines[0]?.endsWith("\n"));
    const rec = dest.entries[0];
    t.match(rec, { level: "info", module: "wire.reassembly", conn: "10.0.0.1:2000", bytes: 12, msg: "gap skipped" });
    t.match(rec?.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.notOk("pid" in (rec ?? {}), "no pid/hostname noise");
    t.equal(getLogger("wire.reassembly"), log, "one logger per namespace");
});

t.test("runtime level change takes effect without recreating loggers", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest });
    const wire = getLogger("wire");
    const reasm = getLogger("wire.reassembly");
    const sccp = getLogger("sccp");
    const conn = reasm.child({ conn: 7 });
    const sub = conn.child({ dir: "a" });

    reasm.debug("hidden");
    setLevel("wire", "debug");
    wire.debug("wire debug");
    reasm.debug("inherited debug");
    conn.debug("child follows");
    sub.debug("grandchild follows");
    sccp.debug("sccp still info");
    t.same(
        dest.entries.map((e) => e.msg),
        ["wire debug", "inherited debug", "child follows", "grandchild follows"],
    );
    t.match(dest.entries[2], { module: "wire.reassembly", conn: 7 });

    dest.clear();
    setLevel("wire.reassembly", "trace");
    setLevel("wire", "error");
    reasm.trace("own level wins over parent");
    wire.warn("wire now error only");
    t.same(
        dest.entries.map((e) => e.msg),
        ["own level wins over parent"],
    );

    dest.clear();
    resetLevel("wire.reassembly");
    reasm.warn("inherits error again");
    reasm.error("error passes");
    t.same(
        dest.entries.map((e) => e.msg),
        ["error passes"],
    );

    dest.clear();
    setLevel("*", "trace");
    sccp.trace("default now trace");
    wire.info("wire still error");
    t.same(
        dest.entries.map((e) => e.msg),
        ["default now trace"],
    );
    t.ok(sccp.isLevelEnabled("trace"));
    t.equal(sccp.level, "trace");

    setLevel("*", "silent");
    sccp.fatal("silenced");
    t.equal(dest.entries.length, 1);
});

t.test("loggers created after a level is set start at that level", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest, modules: { qbe: "trace" } });
    const late = getLogger("qbe.codec");
    late.trace("at trace");
    t.equal(dest.entries.length, 1);
});

t.test("Cisco SDI trace level names are accepted", async (t) => {
    const log = getLogger("callback");
    setLevel("callback", "Detailed");
    t.equal(log.level, "trace");
    setLevel("callback", "State Transition");
    t.equal(log.level, "info");
    setLevel("callback", "entry/exit");
    t.equal(log.level, "debug");
    setLevel("callback", "SPECIAL");
    t.equal(log.level, "warn");
});

t.test("bad levels and namespaces are ConfigErrors", async (t) => {
    t.throws(() => setLevel("wire", "loud"), { code: "CONFIG_INVALID", message: 'unknown log level "loud"' });
    t.throws(() => setLevel("bad name", "info"), ConfigError);
    t.throws(() => setLevel("wire..x", "info"), { code: "CONFIG_INVALID" });
    t.throws(() => getLogger(""), ConfigError);
    t.throws(() => configureLogging({ modules: { "a b": "info" } }), ConfigError);
    t.throws(() => configureLogging({ level: "verbose" as "info" }), ConfigError);
});

t.test("levels() lists the default and every namespace", async (t) => {
    getLogger("sccp.framer");
    configureLogging({ level: "warn", modules: { sccp: "debug", mgmt: "error" } });
    const rows = levels();
    t.same(rows[0], { namespace: "*", level: "warn", explicit: true });
    const by = new Map(rows.map((r) => [r.namespace, r]));
    t.same(by.get("sccp"), { namespace: "sccp", level: "debug", explicit: true });
    t.same(by.get("sccp.framer"), { namespace: "sccp.framer", level: "debug", explicit: false });
    t.same(by.get("mgmt"), { namespace: "mgmt", level: "error", explicit: true });
    t.same(by.get("wire"), { namespace: "wire", level: "warn", explicit: false }, "registered earlier in this file");
    const names = rows.slice(1).map((r) => r.namespace);
    t.same(names, [...names].sort());
    configureLogging({ modules: {} });
    t.equal(new Map(levels().map((r) => [r.namespace, r])).get("sccp.framer")?.level, "warn", "modules replaced");
});

t.test("secrets are redacted at any reasonable depth", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest });
    const log = getLogger("phone.push");
    log.info(
        {
            password: "p0",
            pushPassword: "p1",
            secret: "s",
            token: "tk",
            authorization: "Basic abc",
            user: "admin",
            phone: { password: "p2", ip: "10.0.0.9" },
            req: { headers: { Authorization: "Basic xyz", host: "x" } },
            a: { b: { c: { token: "deep", keep: 1 } } },
            list: [{ secret: "in array" }],
        },
        "pushing",
    );
    const line = dest.lines[0] ?? "";
    for (const s of ["p0", "p1", '"s"', "tk", "Basic abc", "p2", "Basic xyz", "deep", "in array"]) {
        t.notOk(line.includes(s), `${s} not in output`);
    }
    t.match(dest.entries[0], {
        password: "[Redacted]",
        pushPassword: "[Redacted]",
        secret: "[Redacted]",
        token: "[Redacted]",
        authorization: "[Redacted]",
        user: "admin",
        phone: { password: "[Redacted]", ip: "10.0.0.9" },
        req: { headers: { Authorization: "[Redacted]", host: "x" } },
        a: { b: { c: { token: "[Redacted]", keep: 1 } } },
        list: [{ secret: "[Redacted]" }],
    });
    log.child({ token: "child-binding" }).info("bound");
    t.notOk(dest.lines[1]?.includes("child-binding"), "bindings are redacted too");
});

t.test("pretty output", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest, pretty: true });
    getLogger("console").warn({ port: "/dev/ttyS0" }, "line dropped");
    t.match(dest.lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}console: line dropped \{"port":"\/dev\/ttyS0"\}\n$/);
    t.equal(prettyLine("not json\n"), "not json\n");
    t.equal(prettyLine('{"time":"T","level":"info"}'), "T INFO  \n");
    configureLogging({ pretty: false });
    getLogger("console").warn("json again");
    t.equal(dest.entries[1]?.msg, "json again");
});

t.test("errors are serialized with their message", async (t) => {
    const dest = createMemoryDestination();
    configureLogging({ destination: dest });
    getLogger("capture").error({ err: new Error("EPERM") }, "open failed");
    t.match(dest.entries[0], { err: { type: "Error", message: "EPERM" }, msg: "open failed" });
});

t.test("stdout is the default destination", async (t) => {
    const script = fileURLToPath(new URL("fixtures/stdout-logger.ts", import.meta.url));
    // only the TypeScript loader: the runner's others cost seconds at every child start on a busy machine
    const loader = process.execArgv.filter((a) => a.includes("typescript"));
    const out = spawnSync(process.execPath, [...loader, script], { encoding: "utf8" });
    t.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split("\n");
    t.equal(lines.length, 1);
    t.match(JSON.parse(lines[0] ?? "{}"), { level: "info", module: "main", msg: "to stdout", password: "[Redacted]" });
});

t.test("children that are garbage collected are swept from the registry", async (t) => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const log = getLogger("wire.conn");
    const before = loggingStats().children;
    for (let i = 0; i < 1023; i++) log.child({ conn: i });
    t.equal(loggingStats().children, before + 1023);
    await new Promise((r) => setTimeout(r, 10)); // let WeakRef targets leave the current job
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const keep = log.child({ conn: "keep" }); // 1024th: no sweep yet
    const kept = log.child({ conn: "kept" }); // size 1024 reached: sweep then add
    t.ok(loggingStats().children < before + 100, `swept to ${loggingStats().children}`);
    setLevel("wire.conn", "debug");
    t.equal(keep.level, "debug");
    t.equal(kept.level, "debug");
    t.equal(loggingStats().loggers >= 1, true);
});

t.test("the log config section configures logging directly", async (t) => {
    const dest = createMemoryDestination();
    const config = loadConfig({ env: { CALLBACKD_LOG_LEVEL: "warn", CALLBACKD_LOG_MODULES: "sccp.codec=trace" } });
    configureLogging({ ...config.log, destination: dest });
    getLogger("sccp.codec").trace("codec trace");
    getLogger("sccp").info("sccp info hidden");
    t.same(
        dest.entries.map((e) => e.msg),
        ["codec trace"],
    );
});
