import { spawnSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import t from "tap";
import {
    captureFilter,
    diffConfig,
    ENV_CONFIG_FILE,
    envName,
    envOverrides,
    loadConfig,
    qbePorts,
    toUpperSnake,
} from "../../src/config/load.js";
import { defaultConfig } from "../../src/config/schema.js";
import type { ConfigShape } from "../../src/config/types.js";
import { ConfigError } from "../../src/errors.js";
import { needTool } from "../helpers/tools.js";

/** Runs fn and returns the ConfigError it throws; anything else is rethrown. */
function configError(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    throw new Error("expected a ConfigError");
}

type Problem = { key: string; reason: string };
const problems = (err: ConfigError): Problem[] => (err.details.errors as Problem[] | undefined) ?? [];

/** Writes a config file in a fresh test dir (made by `testdir`) and returns its path. */
function configFile(testdir: (files: Record<string, string>) => string, content: unknown): string {
    const dir = testdir({ "callbackd.json": typeof content === "string" ? content : JSON.stringify(content) });
    return join(dir, "callbackd.json");
}

t.test("defaults load without a file", async (t) => {
    const config = loadConfig({ env: {} });
    t.same(config, defaultConfig());
    t.equal(config.cti.port, 2748);
    t.equal(config.capture.interface, null);
    t.same(config.capture.sccpPorts, [2000]);
    t.equal(config.capture.bufferSizeBytes, 10 * 1024 * 1024);
    t.equal(config.reassembly.memoryCapBytes, 64 * 1024 * 1024);
    t.equal(config.reassembly.maxOutOfOrderBytesPerDirection, 256 * 1024);
    t.equal(config.log.level, "info");
    t.equal(config.phones.audioFileName, "CallBack.raw");
    t.equal(captureFilter(config), "tcp port 2000 or tcp port 2748");
    t.same(qbePorts(config), [2748]);
});

t.test("the result is deeply frozen and independent of the defaults", async (t) => {
    const config = loadConfig({ env: {} });
    t.ok(Object.isFrozen(config));
    t.ok(Object.isFrozen(config.capture));
    t.ok(Object.isFrozen(config.capture.sccpPorts));
    t.ok(Object.isFrozen(config.log.modules));
    t.throws(() => {
        (config.cti as { port: number }).port = 1;
    }, TypeError);
    const again = loadConfig({ env: {} });
    t.not(again.capture, config.capture);
    t.equal(defaultConfig().cti.port, 2748);
});

t.test("uses process.env when no env is given", async (t) => {
    const saved = process.env.CALLBACKD_CTI_PORT;
    process.env.CALLBACKD_CTI_PORT = "2800";
    t.teardown(() => {
        if (saved === undefined) delete process.env.CALLBACKD_CTI_PORT;
        else process.env.CALLBACKD_CTI_PORT = saved;
    });
    t.equal(loadConfig().cti.port, 2800);
});

t.test("precedence: override > env > file > default", async (t) => {
    const file = configFile((f) => t.testdir(f), {
        cti: { port: 1001, heartbeatIntervalS: 10, providerOpenTimeoutMs: 5000 },
        capture: { interface: "eth1", sccpPorts: [2000, 2001] },
        log: { modules: { wire: "debug", sccp: "warn" } },
    });
    const env = {
        CALLBACKD_CTI_PORT: "1002",
        CALLBACKD_CTI_HEARTBEAT_INTERVAL_S: "20",
        CALLBACKD_LOG_MODULES: "sccp=trace",
        PATH: "/usr/bin",
    };
    const config = loadConfig({ file, env, overrides: { cti: { port: 1003 }, log: { modules: { qbe: "error" } } } });
    t.equal(config.cti.port, 1003, "override wins");
    t.equal(config.cti.heartbeatIntervalS, 20, "env beats file");
    t.equal(config.cti.providerOpenTimeoutMs, 5000, "file beats default");
    t.equal(config.service.synchronousRequestTimeoutMs, 20000, "default");
    t.equal(config.capture.interface, "eth1");
    t.same(config.capture.sccpPorts, [2000, 2001], "arrays replace, not merge");
    t.same(config.log.modules, { wire: "debug", sccp: "trace", qbe: "error" }, "maps merge by entry");
    t.equal(captureFilter(config), "tcp port 2000 or tcp port 2001 or tcp port 1003");
});

t.test("overrides skip undefined values", async (t) => {
    const config = loadConfig({ env: {}, overrides: { cti: { port: undefined }, capture: { interface: "eth0" } } });
    t.equal(config.cti.port, 2748);
    t.equal(config.capture.interface, "eth0");
});

t.test("CALLBACKD_CONFIG names the file when none is given", async (t) => {
    const file = configFile((f) => t.testdir(f), { cti: { port: 3000 } });
    t.equal(loadConfig({ env: { [ENV_CONFIG_FILE]: file } }).cti.port, 3000);
    t.equal(loadConfig({ env: { [ENV_CONFIG_FILE]: "" } }).cti.port, 2748, "empty means none");
    const err = configError(() => loadConfig({ env: { [ENV_CONFIG_FILE]: join(file, "..", "nope.json") } }));
    t.equal(err.code, "CONFIG_NOT_FOUND");
});

t.test("environment overrides: names and coercion", async (t) => {
    t.equal(toUpperSnake("providerOpenTimeoutMs"), "PROVIDER_OPEN_TIMEOUT_MS");
    t.equal(toUpperSnake("heartbeatIntervalS"), "HEARTBEAT_INTERVAL_S");
    t.equal(toUpperSnake("maxOutOfOrderBytesPerDirection"), "MAX_OUT_OF_ORDER_BYTES_PER_DIRECTION");
    t.equal(toUpperSnake("parseHTTPResponse"), "PARSE_HTTP_RESPONSE");
    t.equal(envName("service.cbbChangeNotificationPort"), "CALLBACKD_SERVICE_CBB_CHANGE_NOTIFICATION_PORT");

    const config = loadConfig({
        env: {
            CALLBACKD_CAPTURE_INTERFACE: "eth0",
            CALLBACKD_CTI_PORT: " 2749 ",
            CALLBACKD_CAPTURE_PROMISCUOUS: "0",
            CALLBACKD_LOG_PRETTY: "TRUE",
            CALLBACKD_CAPTURE_SCCP_PORTS: "2000, 2443",
            CALLBACKD_CAPTURE_QBE_PORTS: "[2748, 2749]",
            CALLBACKD_capture_snapLength: "1500",
            CALLBACKD_REASSEMBLY_MAXCONNECTIONS: "10",
            CALLBACKD_LOG_LEVEL: "debug",
            CALLBACKD_PHONES_AUDIO_FILE_NAME: "Twinkle.raw",
        },
    });
    t.equal(config.capture.interface, "eth0");
    t.equal(config.cti.port, 2749);
    t.equal(config.capture.promiscuous, false);
    t.equal(config.log.pretty, true);
    t.same(config.capture.sccpPorts, [2000, 2443]);
    t.same(config.capture.qbePorts, [2748, 2749]);
    t.equal(config.capture.snapLength, 1500, "key part matched case-insensitively");
    t.equal(config.reassembly.maxConnections, 10, "underscores optional");
    t.equal(config.log.level, "debug");
    t.equal(config.phones.audioFileName, "Twinkle.raw");
    t.same(qbePorts(config), [2748, 2749]);
    t.equal(captureFilter(config), "tcp port 2000 or tcp port 2443 or tcp port 2748 or tcp port 2749");

    const more = loadConfig({
        env: {
            CALLBACKD_CAPTURE_PROMISCUOUS: "1",
            CALLBACKD_CAPTURE_FILTER: "null",
            CALLBACKD_CAPTURE_INTERFACE: "",
            CALLBACKD_CAPTURE_QBE_PORTS: "",
            CALLBACKD_LOG_MODULES: '{"wire.reassembly":"trace"}',
            CALLBACKD_CAPTURE_FILE: "/tmp/x.pcap",
        },
        overrides: { capture: { interface: "eth9" } },
    });
    t.equal(more.capture.promiscuous, true);
    t.equal(more.capture.filter, null);
    t.equal(more.capture.interface, "eth9", "override beats env null");
    t.same(more.capture.qbePorts, null, "empty string is null for a nullable array");
    t.same(more.log.modules, { "wire.reassembly": "trace" });
    t.equal(more.capture.file, "/tmp/x.pcap");
    t.equal(captureFilter(more), "tcp port 2000 or tcp port 2748");

    const empty = envOverrides({ CALLBACKD_CAPTURE_SCCP_PORTS: "", CALLBACKD_LOG_MODULES: "a=debug,,b=info" });
    t.same(empty.values, { capture: { sccpPorts: [] }, log: { modules: { a: "debug", b: "info" } } });
    t.same([...empty.sources.keys()], ["capture.sccpPorts", "log.modules"]);
    t.same(envOverrides({ OTHER: "x", CALLBACKD_CONFIG: "/x" }).values, {}, "only the prefix, not reserved names");
});

t.test("bad environment variables name the variable", async (t) => {
    let err = configError(() => loadConfig({ env: { CALLBACKD_CTI_PROT: "2749" } }));
    t.equal(err.code, "CONFIG_INVALID");
    t.match(err.message, /CALLBACKD_CTI_PROT: names no configuration key \(did you mean CALLBACKD_CTI_PORT\?\)/);
    t.same(problems(err), [
        { key: "CALLBACKD_CTI_PROT", reason: "names no configuration key (did you mean CALLBACKD_CTI_PORT?)" },
    ]);

    err = configError(() => loadConfig({ env: { CALLBACKD_NOTHING_LIKE_IT: "1" } }));
    t.same(problems(err), [{ key: "CALLBACKD_NOTHING_LIKE_IT", reason: "names no configuration key" }]);

    err = configError(() => loadConfig({ env: { CALLBACKD_CTI_PORT: "abc" } }));
    t.match(err.message, /cti\.port: must be integer \(got "abc"\) \(from CALLBACKD_CTI_PORT\)/);

    err = configError(() => loadConfig({ env: { CALLBACKD_CAPTURE_PROMISCUOUS: "maybe" } }));
    t.match(
        err.message,
        /capture\.promiscuous: must be boolean \(got "maybe"\) \(from CALLBACKD_CAPTURE_PROMISCUOUS\)/,
    );

    err = configError(() => loadConfig({ env: { CALLBACKD_CAPTURE_SCCP_PORTS: "2000,x" } }));
    t.match(err.message, /capture\.sccpPorts\[1\]: must be integer \(got "x"\) \(from CALLBACKD_CAPTURE_SCCP_PORTS\)/);

    err = configError(() => loadConfig({ env: { CALLBACKD_CAPTURE_SCCP_PORTS: "[2000," } }));
    t.match(problems(err)[0], { key: "CALLBACKD_CAPTURE_SCCP_PORTS", reason: /^capture\.sccpPorts: not valid JSON/ });

    err = configError(() => loadConfig({ env: { CALLBACKD_LOG_MODULES: "wire" } }));
    t.match(problems(err)[0], { key: "CALLBACKD_LOG_MODULES", reason: /name=level pairs/ });

    err = configError(() => loadConfig({ env: { CALLBACKD_LOG_MODULES: "wire=loud" } }));
    t.match(err.message, /log\.modules\.wire: must be one of .* \(got "loud"\) \(from CALLBACKD_LOG_MODULES\)/);
});

t.test("file errors: missing, unreadable, bad JSON with position", async (t) => {
    const dir = t.testdir({
        "bad.json": '{\n    "cti": {\n        "port": 2748,\n    }\n}\n',
        "empty.json": "",
        dir: {},
    });
    let err = configError(() => loadConfig({ file: join(dir, "missing.json"), env: {} }));
    t.equal(err.code, "CONFIG_NOT_FOUND");
    t.match(err.message, /config file not found: .*missing\.json/);
    t.equal(err.details.file, join(dir, "missing.json"));

    err = configError(() => loadConfig({ file: join(dir, "dir"), env: {} }));
    t.equal(err.code, "CONFIG_READ");
    t.match(err.message, /is not a regular file \(a directory\)/);

    err = configError(() => loadConfig({ file: join(dir, "bad.json"), env: {} }));
    t.equal(err.code, "CONFIG_PARSE");
    t.match(err.message, /bad\.json:4:5: unexpected character "}", expected a double-quoted property name/);
    t.match(err.details, { line: 4, column: 5 });

    err = configError(() => loadConfig({ file: join(dir, "empty.json"), env: {} }));
    t.equal(err.code, "CONFIG_PARSE");
    t.match(err.message, /empty\.json:1:1: unexpected end of input/);
});

/**
 * An unreadable file. Root reads any file (CAP_DAC_OVERRIDE), so as root — CI's case — the check runs in a
 * child started by setpriv with every capability dropped: still uid 0 (so it can read this checkout wherever
 * it is), but bound by the file's mode like any other user.
 */
const asRoot = process.getuid?.() === 0;
const skipUnreadable = !asRoot
    ? false
    : needTool("setpriv", "util-linux", ["--version"]) ||
      (existsSync(join(import.meta.dirname, "../../dist/config/load.js")) ? false : "needs dist/: run npm run build");

t.test("an unreadable config file is CONFIG_READ", { skip: skipUnreadable }, async (t) => {
    const dir = t.testdir({ "locked.json": "{}" });
    const locked = join(dir, "locked.json");
    chmodSync(locked, 0o000);
    if (!asRoot) {
        const err = configError(() => loadConfig({ file: locked, env: {} }));
        t.equal(err.code, "CONFIG_READ");
        t.match(err.message, /EACCES/);
        return;
    }
    const load = pathToFileURL(join(import.meta.dirname, "../../dist/config/load.js")).href;
    const script = `
        const { loadConfig } = await import(${JSON.stringify(load)});
        try { loadConfig({ file: process.argv[1], env: {} }); console.log(JSON.stringify({ loaded: true })); }
        catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }`;
    const r = spawnSync(
        "setpriv",
        ["--bounding-set=-all", "--inh-caps=-all", process.execPath, "--input-type=module", "-e", script, locked],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } },
    );
    t.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { code?: string; message?: string };
    t.equal(out.code, "CONFIG_READ", "as root without capabilities");
    t.match(out.message, /EACCES/);
});

t.test("a UTF-8 BOM is accepted", async (t) => {
    const file = configFile((f) => t.testdir(f), '\uFEFF{"cti":{"port":2750}}');
    t.equal(loadConfig({ file, env: {} }).cti.port, 2750);
});

t.test("schema errors name every bad key and why", async (t) => {
    const file = configFile((f) => t.testdir(f), {
        cti: { port: 70000 },
        capture: { interfce: "eth0", sccpPorts: [2000, "x"], promiscuous: "yes" },
        log: { level: "verbose", modules: { "bad name": "debug" } },
        phones: { audioFileName: "../etc/passwd" },
        telemetry: {},
    });
    const err = configError(() => loadConfig({ file, env: {} }));
    t.equal(err.code, "CONFIG_INVALID");
    t.equal(err.details.file, file);
    t.match(err.message, /cti\.port: must be <= 65535 \(got 70000\)/);
    const byKey = new Map(problems(err).map((p) => [p.key, p.reason]));
    t.same(byKey.get("cti.port"), "must be <= 65535 (got 70000)");
    t.same(byKey.get("capture.interfce"), 'unknown key (did you mean "capture.interface"?)');
    t.same(byKey.get("capture.sccpPorts[1]"), 'must be integer (got "x")');
    t.same(byKey.get("capture.promiscuous"), 'must be boolean (got "yes")');
    t.same(byKey.get("log.level"), 'must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")');
    t.match(byKey.get("log.modules.bad name"), /not a valid module namespace/);
    t.same(byKey.get("phones.audioFileName"), 'must be a plain file name without a path (got "../etc/passwd")');
    t.same(byKey.get("telemetry"), "unknown key");
    for (const key of byKey.keys()) t.ok(err.message.includes(`${key}: `), `message names ${key}`);
});

t.test("more kinds of bad input", async (t) => {
    const cases: [string, object, string, string][] = [
        ["below minimum", { cti: { heartbeatIntervalS: 0 } }, "cti.heartbeatIntervalS", "must be >= 1 (got 0)"],
        ["not an integer", { cti: { port: 2748.5 } }, "cti.port", "must be integer (got 2748.5)"],
        [
            "string for int",
            { service: { cbbChangeNotificationPort: "2552" } },
            "service.cbbChangeNotificationPort",
            'must be integer (got "2552")',
        ],
        ["null not allowed", { cti: { port: null } }, "cti.port", "must be integer (got null)"],
        ["wrong nullable type", { capture: { interface: 5 } }, "capture.interface", "must be string or null (got 5)"],
        [
            "empty string",
            { capture: { interface: "" } },
            "capture.interface",
            'must NOT have fewer than 1 characters (got "")',
        ],
        ["section not an object", { capture: 5 }, "capture", "must be object (got 5)"],
        [
            "empty port list",
            { capture: { sccpPorts: [] } },
            "capture.sccpPorts",
            "must NOT have fewer than 1 items (got [])",
        ],
        ["port out of range", { capture: { qbePorts: [0] } }, "capture.qbePorts[0]", "must be >= 1 (got 0)"],
        [
            "unknown top-level, suggested elsewhere",
            { interface: "eth0" },
            "interface",
            'unknown key (did you mean "capture.interface"?)',
        ],
        ["unknown section, close", { captur: {} }, "captur", 'unknown key (did you mean "capture"?)'],
        ["unknown key, case", { cti: { Port: 1 } }, "cti.Port", 'unknown key (did you mean "cti.port"?)'],
        ["__proto__ is just a key", JSON.parse('{"cti":{"__proto__":{"port":1}}}'), "cti.__proto__", "unknown key"],
    ];
    for (const [name, overrides, key, reason] of cases) {
        const err = configError(() => loadConfig({ env: {}, overrides }));
        t.equal(err.code, "CONFIG_INVALID", name);
        t.same(problems(err), [{ key, reason: `${reason} (from overrides)` }], name);
    }
    t.equal(({} as Record<string, unknown>).port, undefined, "no prototype pollution");
});

t.test("a file whose root is not an object", async (t) => {
    const file = configFile((f) => t.testdir(f), "[1, 2]");
    const err = configError(() => loadConfig({ file, env: {} }));
    t.same(problems(err), [{ key: "(root)", reason: "must be an object" }]);
    const err2 = configError(() => loadConfig({ env: {}, overrides: [] }));
    t.same(problems(err2), [{ key: "(root)", reason: "must be an object (from overrides)" }]);
});

t.test("a later layer clears the source label of an earlier one", async (t) => {
    const file = configFile((f) => t.testdir(f), { cti: { port: 0 } });
    const err = configError(() => loadConfig({ file, env: {}, overrides: { cti: { port: 70000 } } }));
    t.same(problems(err), [{ key: "cti.port", reason: "must be <= 65535 (got 70000) (from overrides)" }]);
    // a value from the file carries no "(from ...)" label: the message already names the file
    const err2 = configError(() => loadConfig({ file, env: {} }));
    t.same(problems(err2), [{ key: "cti.port", reason: "must be >= 1 (got 0)" }]);
});

t.test("captureFilter: override, dedup, derived QBE port", async (t) => {
    const base = defaultConfig();
    const with_ = (patch: (c: ConfigShape) => void): ConfigShape => {
        const c = defaultConfig();
        patch(c);
        return c;
    };
    t.equal(captureFilter(base), "tcp port 2000 or tcp port 2748");
    t.equal(
        captureFilter(
            with_((c) => {
                c.capture.filter = "tcp";
            }),
        ),
        "tcp",
    );
    t.equal(
        captureFilter(
            with_((c) => {
                c.cti.port = 2000;
            }),
        ),
        "tcp port 2000",
    );
    t.equal(
        captureFilter(
            with_((c) => {
                c.capture.qbePorts = [];
            }),
        ),
        "tcp port 2000",
    );
});

t.test("diffConfig lists changed keys with requiresRestart", async (t) => {
    const a = loadConfig({ env: {} });
    t.same(diffConfig(a, a), []);
    const b = loadConfig({
        env: {},
        overrides: {
            cti: { port: 2749 },
            log: { level: "debug", modules: { wire: "trace" } },
            capture: { sccpPorts: [2000, 2001] },
        },
    });
    t.same(diffConfig(a, b), [
        { key: "capture.sccpPorts", from: [2000], to: [2000, 2001], requiresRestart: true },
        { key: "log.level", from: "info", to: "debug", requiresRestart: false },
        { key: "log.modules.wire", from: undefined, to: "trace", requiresRestart: false },
        { key: "cti.port", from: 2748, to: 2749, requiresRestart: true },
    ]);
    t.same(diffConfig(b, a)[2], { key: "log.modules.wire", from: "trace", to: undefined, requiresRestart: false });
    const x = { ...defaultConfig(), extra: { password: "hunter2" } } as unknown as ConfigShape;
    t.same(diffConfig(defaultConfig(), x), [
        { key: "extra", from: undefined, to: { password: "hunter2" }, requiresRestart: true },
    ]);
    const y = { ...defaultConfig(), extra: { password: "old" } } as unknown as ConfigShape;
    t.same(diffConfig(y, x), [{ key: "extra.password", from: "[Redacted]", to: "[Redacted]", requiresRestart: true }]);
});
