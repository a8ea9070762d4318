/**
 * The protobuf snapshot codec: the schema file and its embedded copy agree, decode(encode(s)) is s for
 * random engine states, every released snapshot format still loads, and bad payloads fail with clear codes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import protobuf from "protobufjs";
import t from "tap";
import type { CallBackRequest, CallerInfo, EngineState } from "../../src/callback/types.js";
import { decodeSlot, StoreError } from "../../src/store/slots.js";
import {
    decodePayload,
    decodeSnapshot,
    encodeSnapshot,
    FORMAT_JSON,
    FORMAT_PROTOBUF,
    inspectPayload,
    SCHEMA_VERSION,
    SNAPSHOT_PROTO,
} from "../../src/store/snapshotCodec.js";
import "../helpers/seed.js";

const fixtures = join(import.meta.dirname, "../fixtures/store");

t.test("the build puts snapshot.proto beside the compiled module (it is loaded at run time)", async (t) => {
    const built = join(import.meta.dirname, "../../dist/store/snapshot.proto");
    t.equal(readFileSync(built, "utf8"), SNAPSHOT_PROTO, "dist/ carries the schema src/ has");
});

// ---------------------------------------------------------------------------------------------------------
// Random engine states (valid for parseEngineState: active requests have activeSince, notified ones the rest)

const num = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    fc.double({ min: 0, max: 4e12, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
);
const small = fc.integer({ min: 0, max: 100 });
/** Plain objects (fast-check may make null-prototype ones, which deep-equal tells apart). */
const rec = <T>(m: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(m, { noNullPrototype: true });
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const caller: fc.Arbitrary<CallerInfo> = rec({
    device: fc.string(),
    name: orNull(fc.string()),
    ip: orNull(fc.string()),
    line: orNull(fc.integer({ min: 0, max: 64 })),
    dn: orNull(fc.string()),
    model: orNull(fc.string()),
});
const trigger = fc.constantFrom("busy" as const, "no-answer" as const);
const heard = orNull(fc.constantFrom("busy" as const, "ringback" as const, "reorder" as const));
const phoneTime = fc.record(
    { epochMs: num, utcOffsetMinutes: fc.integer({ min: -720, max: 840 }), dateTemplate: fc.string() },
    { requiredKeys: ["epochMs"], noNullPrototype: true },
);
const delivery = rec({
    attempts: small,
    inFlight: fc.boolean(),
    retryAt: orNull(num),
    lastCode: orNull(fc.string()),
});

function request(replaces: fc.Arbitrary<CallBackRequest | null>): fc.Arbitrary<CallBackRequest> {
    return rec({
        seq: small,
        caller,
        calledDn: fc.string(),
        trigger,
        heard,
        createdAt: num,
        activeSince: num,
        expiresAt: num,
        phase: fc.constantFrom("pending" as const, "waiting" as const, "notified" as const),
        suspended: fc.boolean(),
        generation: small,
        reply: orNull(fc.string()),
        replaces,
        calleeInUseSeen: fc.boolean(),
        callerUnregisteredAt: orNull(num),
        notifiedAt: num,
        notifyPhoneTime: phoneTime,
        delivery,
        pendingActive: fc.boolean(),
    }).map(({ pendingActive, ...r }) => {
        const notified = r.phase === "notified";
        return {
            ...r,
            id: "",
            activeSince: r.phase === "pending" && !pendingActive ? null : r.activeSince,
            notifiedAt: notified ? r.notifiedAt : null,
            notifyPhoneTime: notified ? r.notifyPhoneTime : null,
            delivery: notified || pendingActive ? r.delivery : null,
        };
    });
}

const engineState: fc.Arbitrary<EngineState> = rec({
    seq: num,
    now: num,
    generation: num,
    durable: num,
    requests: fc.array(request(orNull(request(fc.constant(null)))), { maxLength: 6 }),
    offers: fc.array(
        rec({
            id: fc.string(),
            caller,
            calledDn: fc.string(),
            trigger,
            heard,
            createdAt: num,
            expiresAt: num,
            replaces: fc.string(),
        }),
        { maxLength: 3 },
    ),
    callees: fc.array(
        rec({
            dn: fc.string(),
            state: fc.constantFrom("idle" as const, "ringing" as const, "busy" as const, "unknown" as const),
            since: num,
            firstNotifiedAt: orNull(num),
        }),
        { maxLength: 4 },
    ),
    alarms: fc.array(fc.string(), { maxLength: 3 }),
}).map((s) => ({
    version: 1 as const,
    ...s,
    // ids are unique in a state
    requests: s.requests.map((r, i) => ({
        ...r,
        id: `cb-${i}`,
        replaces: r.replaces === null ? null : { ...r.replaces, id: `cb-r${i}` },
    })),
}));

t.test("decode(encode(s)) deep-equals s for random states (nulls included)", async (t) => {
    let n = 0;
    fc.assert(
        fc.property(engineState, num, num, (engine, session, outboxAckedEseq) => {
            const back = decodeSnapshot(encodeSnapshot({ engine, session, outboxAckedEseq }));
            t.strictSame(back, { engine, session, outboxAckedEseq });
            n++;
        }),
        { numRuns: 300 },
    );
    t.equal(n, 300);
});

// ---------------------------------------------------------------------------------------------------------
// Every released format

const expected = JSON.parse(readFileSync(join(fixtures, "expected-state.json"), "utf8")) as EngineState;

t.test("a snapshot from every released format and schema version still loads", async (t) => {
    const slots = readdirSync(fixtures).filter((f) => f.startsWith("snapshot-") && f.endsWith(".slot"));
    // a release that adds a format or a schema version must add its fixture (make-fixtures.ts)
    t.ok(slots.includes("snapshot-format1.slot"), "format 1 (JSON)");
    for (let v = 1; v <= SCHEMA_VERSION; v++) t.ok(slots.includes(`snapshot-format2-schema${v}.slot`), `schema ${v}`);
    for (const name of slots) {
        const rec = decodeSlot(readFileSync(join(fixtures, name)));
        if (typeof rec === "string") {
            t.fail(`${name}: ${rec}`);
            continue;
        }
        const content = decodePayload(rec.formatVersion, rec.payload);
        t.strictSame(content.engine, expected, `${name}: the engine state`);
        if (rec.formatVersion === FORMAT_PROTOBUF) t.match(content, { session: 7, outboxAckedEseq: 42 });
        else t.match(content, { session: 0, outboxAckedEseq: 0 });
    }
});

// ---------------------------------------------------------------------------------------------------------
// Bad payloads

const Snapshot = protobuf.parse(SNAPSHOT_PROTO).root.lookupType("callbackd.store.v1.Snapshot");
const good = encodeSnapshot({ engine: expected, session: 1, outboxAckedEseq: 0 });

function raw(patch: (m: Record<string, unknown>) => void): Uint8Array {
    const m = Snapshot.toObject(Snapshot.decode(good), { defaults: false }) as Record<string, unknown>;
    patch(m);
    return Snapshot.encode(Snapshot.fromObject(m)).finish();
}

function code(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        return err instanceof StoreError ? err.code : `not a StoreError: ${String(err)}`;
    }
    return "no error";
}

t.test("bad payloads fail with a StoreError naming the problem", async (t) => {
    t.equal(
        code(() => decodePayload(3, good)),
        "STORE_SNAPSHOT_TOO_NEW",
        "future format",
    );
    t.equal(
        code(() => decodePayload(0, good)),
        "STORE_SNAPSHOT_INVALID",
        "unknown old format",
    );
    t.equal(
        code(() => decodePayload(FORMAT_JSON, Buffer.from("{not json"))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.equal(
        code(() => decodePayload(FORMAT_JSON, Buffer.from('{"version":2}'))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.equal(
        code(() => decodePayload(FORMAT_PROTOBUF, Uint8Array.of(0x0a, 0xff))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.equal(
        code(() => decodeSnapshot(raw((m) => (m.schemaVersion = SCHEMA_VERSION + 1)))),
        "STORE_SNAPSHOT_TOO_NEW",
        "future schema version",
    );
    t.equal(
        code(() => decodeSnapshot(raw((m) => delete m.schemaVersion))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.equal(
        code(() => decodeSnapshot(raw((m) => delete m.engine))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.equal(
        code(() =>
            decodeSnapshot(
                raw((m) => {
                    const e = m.engine as { requests: Array<Record<string, unknown>> };
                    (e.requests[0] as Record<string, unknown>).phase = 0;
                }),
            ),
        ),
        "STORE_SNAPSHOT_INVALID",
        "unspecified enum",
    );
    t.equal(
        code(() =>
            decodeSnapshot(
                raw((m) => {
                    const e = m.engine as { requests: Array<Record<string, unknown>> };
                    delete (e.requests[0] as Record<string, unknown>).caller;
                }),
            ),
        ),
        "STORE_SNAPSHOT_INVALID",
        "missing caller",
    );
    t.equal(
        code(() =>
            decodeSnapshot(
                raw((m) => {
                    const e = m.engine as { requests: Array<Record<string, unknown>> };
                    delete (e.requests[0] as Record<string, unknown>).activeSince;
                }),
            ),
        ),
        "STORE_SNAPSHOT_INVALID",
        "an active request without activeSince (engine invariant)",
    );
    const noOutbox = decodeSnapshot(raw((m) => delete m.outbox));
    t.equal(noOutbox.outboxAckedEseq, 0, "a snapshot without the outbox field reads as 0");
});

t.test("inspectPayload prints readable JSON", async (t) => {
    const text = inspectPayload(FORMAT_PROTOBUF, good);
    const parsed = JSON.parse(text);
    t.equal(parsed.formatVersion, 2);
    t.strictSame(parsed.engine, expected);
});
