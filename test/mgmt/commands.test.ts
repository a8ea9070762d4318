import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { CallbackdError, ConfigError } from "../../src/errors.js";
import { levels, resetLogging } from "../../src/logging/logger.js";
import { CommandProcessor, type CommandResponse, type ServiceApi } from "../../src/mgmt/commands.js";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { MgmtError, responseCodeOf, toResponseError } from "../../src/mgmt/errors.js";
import { builtInHandlers } from "../../src/mgmt/handlers.js";

class ServiceError extends CallbackdError {}

/** A fake Call Back service that records its calls. */
function fakeService() {
    const calls: Array<[string, unknown]> = [];
    const api: ServiceApi = {
        listCallbacks: async (q) => {
            calls.push(["listCallbacks", q]);
            return { callbacks: [{ id: "cb1", state: "waiting" }] };
        },
        cancelCallback: async (id) => {
            calls.push(["cancelCallback", id]);
            if (id === "missing") throw new ServiceError("CALLBACK_NOT_FOUND", `no callback ${id}`, { id });
            if (id === "done") throw new ServiceError("CALLBACK_STATE", "already notified");
            if (id === "bug") throw new TypeError("secret internals");
            return { id, state: "cancelled" };
        },
        showPhones: async (q) => {
            calls.push(["showPhones", q]);
            return { phones: [{ name: "SEP001122334455" }] };
        },
        showPhone: async (name) => {
            calls.push(["showPhone", name]);
            return { name, registered: true };
        },
        snapshotNow: async () => {
            calls.push(["snapshotNow", null]);
            return { generation: 7 };
        },
        status: async () => ({ callbacksPending: 1 }),
    };
    return { api, calls };
}

function setup(
    options: { readOnly?: boolean; service?: boolean; restart?: boolean; boot?: Config; now?: () => number } = {},
) {
    const boot = options.boot ?? loadConfig({ env: {} });
    const applied: Config[] = [];
    let failApply: Error | null = null;
    const config = new ConfigControl({
        boot,
        apply: (next) => {
            if (failApply !== null) throw failApply;
            applied.push(next);
        },
        readOnly: () => options.readOnly === true,
    });
    const svc = fakeService();
    let restarted = 0;
    const internal: string[] = [];
    const handlers = builtInHandlers({
        status: async () => ({ session: 3 }),
        config,
        service: () => (options.service === false ? undefined : svc.api),
        resync: async () => ({ republished: ["x"] }),
        ...(options.restart === false ? {} : { restart: () => void restarted++ }),
    });
    const p = new CommandProcessor({
        handlers,
        readOnly: () => options.readOnly === true,
        now: options.now ?? (() => 1_000_000),
        cacheSize: 3,
        cacheTtlMs: 1000,
        onInternalError: (c) => internal.push(c),
    });
    const run = async (name: string | null, body: unknown): Promise<CommandResponse> =>
        (await p.handle(name, typeof body === "string" ? body : JSON.stringify(body))).response;
    return {
        p,
        run,
        config,
        applied,
        calls: svc.calls,
        restarted: () => restarted,
        internal,
        failApply: (e: Error | null) => {
            failApply = e;
        },
    };
}

t.test("request parsing and envelope errors", async (t) => {
    const { run, p } = setup();
    t.match(await run("status", "{not json"), {
        id: null,
        command: "status",
        status: "error",
        error: { code: "bad_request" },
    });
    t.match(await run("status", "[1,2]"), { error: { code: "bad_request", message: /JSON object/ } });
    t.match((await p.handle("status", new Uint8Array([0xff, 0xfe]))).response, { error: { code: "bad_request" } });
    t.match(await run("status", { id: { x: 1 } }), { id: null, error: { code: "bad_request", message: /id must be/ } });
    t.match(await run("status", { id: "x".repeat(129) }), { error: { code: "bad_request" } });
    t.match(await run("status", { id: 42 }), { id: "42", status: "ok", data: { session: 3 } });
    t.match(await run("status", ""), { id: null, status: "ok" }, "an empty payload is an empty request");
    t.match(await run(null, { id: "n1" }), {
        id: "n1",
        command: "unknown",
        error: { code: "bad_request", message: /must name/ },
    });
    t.match(await run(null, { id: "n2", command: "status" }), { id: "n2", command: "status", status: "ok" });
    t.match(await run("status", { id: "n3", command: "get-config" }), {
        error: { code: "bad_request", message: /does not match/ },
    });
    t.match(await run(null, { command: 5 }), { error: { code: "bad_request" } });
    t.match(await run("reboot-now", { id: "u1" }), {
        id: "u1",
        command: "reboot-now",
        status: "error",
        error: { code: "unknown_command", details: { commands: p.commands } },
    });
    t.match(await run("Status", {}), { error: { code: "unknown_command" } }, "names are lower-case");
    t.match(await run("__proto__", {}), { error: { code: "unknown_command" } });
    t.ok(p.commands.includes("set-parameter") && p.commands.includes("save-config") && p.commands.length === 12);
});

t.test("expiry", async (t) => {
    const { run } = setup();
    t.match(await run("status", { id: "e1", expiresAt: 999_999 }), { status: "error", error: { code: "expired" } });
    t.match(await run("status", { id: "e2", expiresAt: 1_000_000 }), { error: { code: "expired" } });
    t.match(await run("status", { id: "e3", expiresAt: 1_000_001 }), { status: "ok" });
    t.match(await run("status", { id: "e4", expiresAt: "soon" }), {
        error: { code: "bad_request", message: /expiresAt/ },
    });
    t.match(await run("status", { id: "e5", expiresAt: null }), { status: "ok" });
});

t.test("idempotency by id: a redelivery gets the first response without a second effect", async (t) => {
    let now = 1_000_000;
    const { run, p, calls } = setup({ now: () => now });
    const first = await run("cancel-callback", { id: "r1", args: { id: "cb1" } });
    t.match(first, { status: "ok", data: { state: "cancelled" } });
    const again = await p.handle("cancel-callback", JSON.stringify({ args: { id: "cb1" }, id: "r1" }));
    t.equal(again.replayed, true);
    t.same(again.response, first);
    t.equal(calls.filter((c) => c[0] === "cancelCallback").length, 1);
    t.match(await run("cancel-callback", { id: "r1", args: { id: "cb2" } }), { error: { code: "conflict" } });
    t.match(await run("status", { id: "r1" }), { error: { code: "conflict" } }, "a different command with a used id");
    // concurrent duplicates share one execution
    const [a, b] = await Promise.all([
        p.handle("snapshot-now", JSON.stringify({ id: "r2" })),
        p.handle("snapshot-now", JSON.stringify({ id: "r2" })),
    ]);
    t.same(a.response, b.response);
    t.equal(calls.filter((c) => c[0] === "snapshotNow").length, 1);
    t.equal(p.stats.replayed, 2);
    // bounded cache: the oldest id is forgotten
    await run("status", { id: "r3" });
    await run("status", { id: "r4" });
    await run("cancel-callback", { id: "r1", args: { id: "cb1" } });
    t.equal(calls.filter((c) => c[0] === "cancelCallback").length, 2, "r1 was evicted, so it ran again");
    // and entries expire
    now += 1000;
    await run("snapshot-now", { id: "r2" });
    t.equal(calls.filter((c) => c[0] === "snapshotNow").length, 2);
    // a cached error is the answer too
    const expired = await run("status", { id: "r9", expiresAt: 1 });
    t.same(await run("status", { id: "r9", expiresAt: 1 }), expired);
});

t.test("read-only mode refuses mutating commands only", async (t) => {
    const { run } = setup({ readOnly: true });
    for (const [cmd, args] of [
        ["set-parameter", { key: "log.level", value: "debug" }],
        ["set-trace-level", { level: "debug" }],
        ["cancel-callback", { id: "cb1" }],
        ["restart", {}],
    ] as const) {
        t.match(await run(cmd, { id: cmd, args }), { status: "error", error: { code: "forbidden" } }, cmd);
    }
    for (const cmd of ["status", "get-config", "list-callbacks", "show-phones", "snapshot-now", "resync"]) {
        t.match(await run(cmd, { id: cmd }), { status: "ok" }, cmd);
    }
});

t.test("argument validation", async (t) => {
    const { run } = setup();
    t.match(await run("set-parameter", { args: { key: "log.level" } }), {
        error: { code: "bad_request", message: /value/ },
    });
    t.match(await run("status", { args: { verbose: true } }), { error: { code: "bad_request", message: /verbose/ } });
    t.match(await run("status", { args: [1] }), { error: { code: "bad_request", message: /object/ } });
    t.match(await run("show-phone", { args: { name: "../etc" } }), {
        error: { code: "bad_request", message: /args\.name/ },
    });
    t.match(await run("list-callbacks", { args: { limit: 0 } }), { error: { code: "bad_request" } });
    t.match(await run("cancel-callback", { args: {} }), { error: { code: "bad_request", message: /id/ } });
});

t.test("set-parameter: validated against the schema; restart-only keys are pending", async (t) => {
    const { run, config, applied } = setup();
    t.match(await run("set-parameter", { args: { key: "log.level", value: "debug" } }), {
        status: "ok",
        data: {
            key: "log.level",
            value: "debug",
            previous: "info",
            changed: true,
            requiresRestart: false,
            pending: false,
        },
    });
    t.equal(config.current.log.level, "debug");
    t.equal(applied.length, 1);
    t.match(await run("set-parameter", { args: { key: "log.level", value: "debug" } }), { data: { changed: false } });
    t.equal(applied.length, 1, "no change, no apply");
    t.match(await run("set-parameter", { args: { key: "cti.port", value: 2749 } }), {
        status: "ok",
        data: { requiresRestart: true, pending: true, previous: 2748 },
    });
    t.same(config.pending(), [{ key: "cti.port", running: 2748, configured: 2749 }]);
    t.match(await run("get-config", {}), { data: { pending: [{ key: "cti.port" }], config: { cti: { port: 2749 } } } });
    t.match(await run("set-parameter", { args: { key: "cti.port", value: 70000 } }), {
        error: { code: "bad_request", details: { errors: [{ key: "cti.port" }] } },
    });
    t.equal(config.current.cti.port, 2749, "a rejected value leaves the configuration untouched");
    t.match(await run("set-parameter", { args: { key: "cti.prot", value: 1 } }), {
        error: { code: "bad_request", message: /did you mean "cti.port"/ },
    });
    t.match(await run("set-parameter", { args: { key: "cti", value: {} } }), { error: { message: /section/ } });
    t.match(await run("set-parameter", { args: { key: "cti..port", value: 1 } }), { error: { code: "bad_request" } });
    t.match(await run("set-parameter", { args: { key: "log.modules.wire.reassembly", value: "trace" } }), {
        status: "ok",
        data: { changed: true, requiresRestart: false },
    });
    t.same(config.current.log.modules, { "wire.reassembly": "trace" });
    t.match(await run("set-parameter", { args: { key: "log.modules.wire.reassembly", value: null } }), {
        data: { changed: true },
    });
    t.same(config.current.log.modules, {}, "null removes a map entry");
    t.match(await run("set-parameter", { args: { key: "log.modules.wire", value: "loud" } }), {
        error: { code: "bad_request" },
    });
    const secret = await run("set-parameter", { args: { key: "log.modules.password", value: "debug" } });
    t.match(secret, { status: "ok", data: { value: "[Redacted]" } }, "a secret's value is not echoed");
    t.equal((secret.data as { previous?: unknown }).previous, undefined);
    await run("set-parameter", { args: { key: "log.modules.password", value: "trace" } });
    t.match(await run("set-parameter", { args: { key: "log.modules.password", value: "info" } }), {
        data: { value: "[Redacted]", previous: "[Redacted]" },
    });
});

t.test("set-parameter: the service's apply decides; its errors map to response codes", async (t) => {
    const { run, config, failApply, internal } = setup();
    failApply(new ServiceError("CONFIG_BUSY", "a reload is running"));
    t.match(await run("set-parameter", { args: { key: "log.level", value: "warn" } }), {
        error: { code: "conflict", reason: "CONFIG_BUSY", message: "a reload is running" },
    });
    failApply(new Error("disk on fire"));
    const r = await run("set-parameter", { args: { key: "log.level", value: "warn" } });
    t.match(r, { error: { code: "internal" } });
    t.notMatch(JSON.stringify(r), /disk on fire/, "a plain error's text is not published");
    t.same(internal, ["set-parameter"]);
    t.equal(config.current.log.level, "info");
});

t.test("get-config redacts secrets", async (t) => {
    const base = loadConfig({ env: {} });
    const boot = { ...base, push: { user: "cbk", password: "hunter2-secret" } } as unknown as Config;
    const { run } = setup({ boot });
    const r = await run("get-config", {});
    t.notMatch(JSON.stringify(r), /hunter2/);
    t.match(r, { data: { config: { push: { user: "cbk", password: "[Redacted]" } }, hash: /^[0-9a-f]{16}$/ } });
});

t.test("set-trace-level", async (t) => {
    t.teardown(resetLogging);
    const { run } = setup();
    t.match(await run("set-trace-level", { args: { level: "Arbitrary", module: "mgmt.test" } }), {
        status: "ok",
        data: { module: "mgmt.test", level: "trace" },
    });
    t.equal(levels().find((l) => l.namespace === "mgmt.test")?.level, "trace");
    t.match(await run("set-trace-level", { args: { level: "debug" } }), { data: { module: "*", level: "debug" } });
    t.match(await run("set-trace-level", { args: { level: "loud" } }), {
        error: { code: "bad_request", reason: "CONFIG_INVALID", message: /unknown log level/ },
    });
    t.match(await run("set-trace-level", { args: { level: "info", module: "bad namespace!" } }), {
        error: { code: "bad_request" },
    });
});

t.test("service commands go through the ServiceApi port", async (t) => {
    const { run, calls, internal } = setup();
    t.match(await run("list-callbacks", { args: { state: "waiting" } }), {
        status: "ok",
        data: { callbacks: [{ id: "cb1" }] },
    });
    t.match(await run("list-callbacks", {}), { status: "ok" });
    t.match(await run("show-phones", { args: { filter: "SEP00", limit: 5 } }), { data: { phones: [{}] } });
    t.match(await run("show-phones", {}), { status: "ok" });
    t.match(await run("show-phone", { args: { name: "SEP001122334455" } }), { data: { registered: true } });
    t.match(await run("snapshot-now", {}), { data: { generation: 7 } });
    t.same(calls.slice(0, 5), [
        ["listCallbacks", { limit: 100, state: "waiting" }],
        ["listCallbacks", { limit: 100 }],
        ["showPhones", { limit: 5, filter: "SEP00" }],
        ["showPhones", { limit: 100 }],
        ["showPhone", "SEP001122334455"],
    ]);
    t.match(await run("cancel-callback", { args: { id: "missing" } }), {
        status: "error",
        error: { code: "bad_request", reason: "CALLBACK_NOT_FOUND", details: { id: "missing" } },
    });
    t.match(await run("cancel-callback", { args: { id: "done" } }), {
        error: { code: "conflict", reason: "CALLBACK_STATE" },
    });
    const bug = await run("cancel-callback", { args: { id: "bug" } });
    t.match(bug, { error: { code: "internal" } });
    t.notMatch(JSON.stringify(bug), /secret internals/);
    t.same(internal, ["cancel-callback"]);
    t.match(await run("status", {}), { data: { session: 3, service: { callbacksPending: 1 } } });
});

t.test("without the service attached its commands answer internal; status still works", async (t) => {
    const { run } = setup({ service: false });
    for (const cmd of ["list-callbacks", "show-phones", "snapshot-now"]) {
        t.match(await run(cmd, {}), { error: { code: "internal", message: /not attached/ } }, cmd);
    }
    t.match(await run("status", {}), { status: "ok", data: { session: 3 } });
    t.notOk("service" in ((await run("status", {})).data as object));
});

t.test("restart answers accepted, then restarts; resync", async (t) => {
    const { p, restarted } = setup();
    const o = await p.handle("restart", "{}");
    t.match(o.response, { status: "accepted", data: { restarting: true } });
    t.equal(restarted(), 0, "not before the response is out");
    await o.after?.();
    t.equal(restarted(), 1);
    t.equal(p.stats.accepted, 1);
    const none = setup({ restart: false });
    t.match(await none.run("restart", {}), { error: { code: "internal" } });
    t.match(await none.run("resync", {}), { status: "ok", data: { republished: ["x"] } });
});

t.test("response codes", async (t) => {
    t.equal(responseCodeOf("expired"), "expired");
    t.equal(responseCodeOf("CONFIG_INVALID"), "bad_request");
    t.equal(responseCodeOf("PHONE_NOT_FOUND"), "bad_request");
    t.equal(responseCodeOf("VERSION_CONFLICT"), "conflict");
    t.equal(responseCodeOf("MODE_READ_ONLY"), "forbidden");
    t.equal(responseCodeOf("REQUEST_EXPIRED"), "expired");
    t.equal(responseCodeOf("STORE_WRITE_FAILED"), "internal");
    t.same(toResponseError(new MgmtError("forbidden", "no")), { code: "forbidden", message: "no" });
    t.same(toResponseError(new ConfigError("CONFIG_INVALID", "bad", { errors: [] })), {
        code: "bad_request",
        message: "bad",
        reason: "CONFIG_INVALID",
        details: { errors: [] },
    });
    t.same(toResponseError("string"), { code: "internal", message: "internal error (see the service log)" });
});

t.test("defaults and the cmd topic's error paths", async (t) => {
    const p = new CommandProcessor({
        handlers: {
            echo: { mutating: false, args: { type: "object" }, description: "echo", run: async (a) => ({ data: a }) },
        },
        readOnly: () => false,
    });
    t.match((await p.handle(null, "{bad")).response, { id: null, command: "unknown", error: { code: "bad_request" } });
    t.match((await p.handle(null, JSON.stringify({ id: [] }))).response, {
        command: "unknown",
        error: { code: "bad_request" },
    });
    const first = await p.handle("echo", JSON.stringify({ id: "a", args: { list: [1, { b: 2 }] } }));
    t.match(first.response, { status: "ok", data: { list: [1, { b: 2 }] } });
    t.ok(first.response.ts > 1_600_000_000_000, "the real clock by default");
    t.equal((await p.handle("echo", JSON.stringify({ args: { list: [1, { b: 2 }] }, id: "a" }))).replayed, true);
    t.match((await p.handle("echo", JSON.stringify({ id: "a", args: { list: [2] } }))).response, {
        error: { code: "conflict" },
    });
});
