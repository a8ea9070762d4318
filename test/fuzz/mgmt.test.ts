/**
 * Fuzzing of the MQTT management payloads (commands, desired configuration, alarm/telemetry codec) and of
 * configuration input (JSON text, overrides, CALLBACKD_* variables): typed answers only, counters that add
 * up, and no state change from a refused request.
 */
import fc from "fast-check";
import t from "tap";
import { parseJson } from "../../src/config/json.js";
import { envOverrides, loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { decodeAlarmEvent, decodeTelemetry, encodeAlarmEvent, encodeTelemetry } from "../../src/mgmt/codec.js";
import { CommandProcessor, type ServiceApi } from "../../src/mgmt/commands.js";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { RESPONSE_CODES } from "../../src/mgmt/errors.js";
import { builtInHandlers } from "../../src/mgmt/handlers.js";
import { ensure, mutated, runTargets, strict, type Target } from "./lib.js";

const BOOT = loadConfig({ env: {} });

const COMMANDS = [
    "status",
    "get-config",
    "set-parameter",
    "set-trace-level",
    "resync",
    "restart",
    "list-callbacks",
    "cancel-callback",
    "show-phones",
    "show-phone",
    "snapshot-now",
];
const KEYS = [
    "log.level",
    "cti.port",
    "http.listen",
    "mqtt.password",
    "log.modules.wire",
    "callback.maxPending",
    "x.y",
    "__proto__",
    "log",
];

/** Deep nesting, as an attacker would send it. */
const deep = fc.integer({ min: 1, max: 20000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);

const requestArb: fc.Arbitrary<string> = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc
        .record(
            {
                id: fc.oneof(fc.string({ maxLength: 140 }), fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 1 })),
                command: fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ maxLength: 8 }), fc.integer()),
                expiresAt: fc.oneof(fc.integer(), fc.constant(9e15), fc.string({ maxLength: 4 })),
                args: fc.oneof(
                    fc.jsonValue({ maxDepth: 3 }),
                    fc.record(
                        {
                            key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 20 })),
                            value: fc.jsonValue({ maxDepth: 2 }),
                            level: fc.constantFrom("debug", "info", "nope", ""),
                            module: fc.string({ maxLength: 10 }),
                            id: fc.string({ maxLength: 10 }),
                            name: fc.string({ maxLength: 10 }),
                            limit: fc.oneof(fc.integer(), fc.double()),
                            state: fc.string({ maxLength: 6 }),
                            filter: fc.string({ maxLength: 6 }),
                        },
                        { requiredKeys: [] },
                    ),
                ),
            },
            { requiredKeys: [] },
        )
        .map((r) => JSON.stringify(r)),
    deep.map((d) => `{"id":"deep","args":{"key":"log.level","value":${d}}}`),
    deep.map((d) => `{"args":${d}}`),
    fc.constantFrom("", " ", "null", "[]", "{}", '"x"', '{"__proto__":{"x":1}}', "\u0000"),
);

function fakeService(): { api: ServiceApi; mutations: string[] } {
    const mutations: string[] = [];
    return {
        mutations,
        api: {
            listCallbacks: async () => ({ callbacks: [] }),
            cancelCallback: async (id) => {
                mutations.push(`cancel ${id}`);
                return { id };
            },
            showPhones: async () => ({ phones: [] }),
            showPhone: async (name) => ({ name }),
            // Allowed in read-only mode: it changes nothing, it makes the state durable.
            snapshotNow: async () => ({}),
        },
    };
}

/**
 * One processor for all runs (compiling its argument schemas costs more than a run): each run gets a fresh
 * configuration, service and counters through the handler dependencies, and a clock far enough ahead that the
 * idempotency cache of earlier runs has expired.
 */
interface RunState {
    config: ConfigControl;
    svc: ReturnType<typeof fakeService>;
    p: CommandProcessor;
    readOnly: boolean;
    restarts: number;
    levels: string[];
}
let state: RunState | undefined;
let clock = 1_000_000;
let processor: CommandProcessor | undefined;

function newRun(readOnly: boolean): RunState {
    clock += 3_600_000;
    const config = new ConfigControl({ boot: BOOT, apply: () => {}, readOnly: () => readOnly });
    processor ??= new CommandProcessor({
        handlers: builtInHandlers({
            status: async () => ({}),
            get config() {
                return state!.config;
            },
            service: () => state!.svc.api,
            resync: async () => ({}),
            restart: () => {
                state!.restarts++;
            },
            setTraceLevel: (m, l) => state!.levels.push(`${m}=${l}`),
        }),
        readOnly: () => state!.readOnly,
        now: () => clock,
    });
    state = { config, svc: fakeService(), p: processor, readOnly, restarts: 0, levels: [] };
    return state;
}

const commands: Target<{ topic: string | null; payloads: string[]; readOnly: boolean; bytes: boolean }> = {
    name: "commands",
    runs: 200,
    save: "json",
    async: true,
    arb: fc.record({
        topic: fc.oneof(
            fc.constant(null),
            fc.constantFrom(...COMMANDS, "__proto__", "constructor", "Status"),
            fc.string({ maxLength: 6 }),
        ),
        payloads: fc.array(requestArb, { minLength: 1, maxLength: 4 }),
        readOnly: fc.boolean(),
        bytes: fc.boolean(),
    }),
    async check({ topic, payloads, readOnly, bytes }) {
        const run = newRun(readOnly);
        const { config, svc, p } = run;
        const stats0 = { ...p.stats };
        for (const payload of payloads) {
            const before: Config = config.current;
            const out = await p.handle(topic, bytes ? new TextEncoder().encode(payload) : payload);
            const r = out.response;
            ensure(["ok", "accepted", "error"].includes(r.status), `status ${r.status}`);
            if (r.status === "error") {
                ensure(r.error !== undefined && RESPONSE_CODES.includes(r.error.code), `error code ${r.error?.code}`);
                ensure(r.error.code !== "internal", `internal error for a request: ${r.error.message}`);
                ensure(config.current === before, "a refused request changed the configuration");
                ensure(out.after === undefined, "a refused request has a follow-up");
            }
            if (readOnly) ensure(config.current === before, "read-only mode changed the configuration");
            JSON.stringify(r); // the response must be publishable
            await out.after?.();
        }
        const d = (k: keyof typeof stats0): number => p.stats[k] - stats0[k];
        ensure(d("received") === payloads.length, "received miscounted");
        ensure(d("ok") + d("accepted") + d("errors") + d("replayed") === d("received"), "stats do not add up");
        if (readOnly) {
            ensure(
                run.restarts === 0 && run.levels.length === 0 && svc.mutations.length === 0,
                "read-only mode mutated",
            );
        }
    },
};

const desired: Target<{ docs: string[]; readOnly: boolean }> = {
    name: "desired",
    runs: 150,
    save: "json",
    async: true,
    arb: fc.record({
        docs: fc.array(
            fc.oneof(
                fc.json({ maxDepth: 4 }),
                fc
                    .record(
                        {
                            version: fc.oneof(
                                fc.nat({ max: 5 }),
                                fc.integer(),
                                fc.double(),
                                fc.string({ maxLength: 3 }),
                            ),
                            config: fc.oneof(
                                fc.jsonValue({ maxDepth: 3 }),
                                fc.record(
                                    {
                                        log: fc.record(
                                            { level: fc.constantFrom("info", "debug", 5, "x") },
                                            { requiredKeys: [] },
                                        ),
                                        cti: fc.record(
                                            { port: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })) },
                                            { requiredKeys: [] },
                                        ),
                                        __proto__: fc.jsonValue({ maxDepth: 1 }),
                                    },
                                    { requiredKeys: [] },
                                ),
                            ),
                        },
                        { requiredKeys: [] },
                    )
                    .map((d) => JSON.stringify(d)),
                deep.map((d) => `{"version":1,"config":{"log":${d}}}`),
            ),
            { minLength: 1, maxLength: 4 },
        ),
        readOnly: fc.boolean(),
    }),
    async check({ docs, readOnly }) {
        const config = new ConfigControl({ boot: BOOT, apply: () => {}, readOnly: () => readOnly });
        for (const text of docs) {
            let doc: unknown;
            try {
                doc = JSON.parse(text);
            } catch {
                doc = "not JSON";
            }
            const before = config.current;
            const report = await config.applyDesired(doc);
            if (report === null) continue;
            ensure(["applied", "rejected"].includes(report.status), `status ${report.status}`);
            if (report.status === "rejected" || readOnly) {
                ensure(config.current === before, "a rejected desired document changed the configuration");
                ensure(report.errors.length > 0 || readOnly === false, "rejection without a reason");
            }
            JSON.stringify(report);
        }
    },
};

const jsonText: Target<string> = {
    name: "config-json",
    runs: 400,
    save: "json",
    arb: fc.oneof(
        fc.json({ maxDepth: 4 }),
        mutated([new TextEncoder().encode(JSON.stringify(BOOT, null, 2))], 4, 64).map((b) =>
            Buffer.from(b).toString("utf8"),
        ),
        fc.integer({ min: 1, max: 20000 }).map((n) => "[".repeat(n)),
        fc.integer({ min: 1, max: 20000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
        fc.string({ maxLength: 30 }),
    ),
    check(text) {
        const v = strict(() => parseJson(text, "fuzz.json"), ["CONFIG_PARSE"]);
        let native: unknown;
        let nativeOk = true;
        try {
            native = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        } catch {
            nativeOk = false;
        }
        ensure(
            (v !== undefined || native === undefined) === nativeOk || !nativeOk,
            "parseJson and JSON.parse disagree",
        );
        // A parsed document as the config file or overrides: typed errors only.
        if (nativeOk) strict(() => loadConfig({ env: {}, overrides: native as object }), ["CONFIG_INVALID"]);
    },
};

const env: Target<[string, string][]> = {
    name: "env",
    runs: 300,
    save: "json",
    arb: fc.array(
        fc.tuple(
            fc.oneof(
                fc.constantFrom(
                    "CALLBACKD_LOG_LEVEL",
                    "CALLBACKD_CTI_PORT",
                    "CALLBACKD_LOG_MODULES",
                    "CALLBACKD_MQTT",
                    "CALLBACKD_",
                    "CALLBACKD_CONFIG",
                ),
                fc.string({ maxLength: 12 }).map((s) => `CALLBACKD_${s}`),
            ),
            fc.oneof(
                fc.string({ maxLength: 20 }),
                fc.json({ maxDepth: 2 }),
                fc.constantFrom("a=b,c", "=", ",,", "1e999"),
            ),
        ),
        { maxLength: 5 },
    ),
    check(pairs) {
        const e: NodeJS.ProcessEnv = {};
        for (const [k, v] of pairs) if (k !== "CALLBACKD_CONFIG") e[k] = v;
        const r = envOverrides(e);
        ensure(Array.isArray(r.problems), "problems");
        strict(() => loadConfig({ env: e }), ["CONFIG_INVALID"]);
    },
};

const codec: Target<{ text: string; labels: Record<string, string>; count: number; bytes: Uint8Array }> = {
    name: "codec",
    runs: 400,
    save: "json",
    arb: fc.record({
        text: fc.string({ maxLength: 40 }),
        labels: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
        count: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 80 }),
    }),
    check({ text, labels, count, bytes }) {
        const e = {
            id: "CAPTURE_DOWN",
            key: "CAPTURE_DOWN:eth0",
            resource: "eth0",
            fingerprint: "f",
            state: "raised",
            severity: "major",
            syslog: 3,
            text,
            action: "a",
            cause: "c",
            labels,
            count,
            firstRaised: 5,
            flapping: false,
            ts: 7,
            lastChanged: 7,
        } as const;
        const back = decodeAlarmEvent(encodeAlarmEvent(e as never, 3, 9));
        ensure(back.text === text && back.count === count && back.seq === 3, "alarm event round trip");
        ensure(JSON.stringify(back.labels) === JSON.stringify(labels), "labels round trip");
        decodeTelemetry(encodeTelemetry({ uptimeS: count } as never));
        // Consumer-side decoders of foreign bytes may throw (protobufjs errors) but must not hang or crash.
        try {
            decodeAlarmEvent(bytes);
            decodeTelemetry(bytes);
        } catch (err) {
            ensure(err instanceof Error, "non-Error thrown");
        }
    },
};

runTargets(t, "mgmt", [commands, desired, jsonText, env, codec] as never[]);
