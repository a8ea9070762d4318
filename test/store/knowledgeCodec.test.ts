/**
 * The knowledge slots' codec: decode(encode(k)) is k for random knowledge, the caching encoder gives the same
 * bytes while re-encoding only the devices that changed, every released knowledge schema still loads, and
 * bad payloads fail with clear codes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import t from "tap";
import type { KnowledgeExport, KnowledgeSnapshot } from "../../src/cluster/knowledge.js";
import {
    decodeKnowledge,
    encodeKnowledge,
    KNOWLEDGE_FORMAT,
    KNOWLEDGE_SCHEMA_VERSION,
    KnowledgeEncoder,
} from "../../src/store/knowledgeCodec.js";
import { decodeSlot, StoreError } from "../../src/store/slots.js";
import { SNAPSHOT_ROOT } from "../../src/store/snapshotCodec.js";

const fixtures = join(import.meta.dirname, "../fixtures/store");
const num = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    fc.double({ min: 0, max: 4e12, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
);
const rec = <T>(m: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(m, { noNullPrototype: true });
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });

// Random knowledge: every table reference names an entry of its table.
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const forwarding = rec({ all: orNull(fc.string()), busy: orNull(fc.string()), noAnswer: orNull(fc.string()) });
const line = rec({
    instance: fc.integer({ min: 1, max: 64 }),
    dn: orNull(fc.string()),
    dnSource: orNull(fc.constantFrom("linestat" as const, "callinfo" as const)),
    displayName: orNull(fc.string()),
    label: orNull(fc.string()),
    forwarding: orNull(forwarding),
    learnedAt: orNull(num),
});
const knowledge: fc.Arbitrary<KnowledgeSnapshot> = fc
    .record(
        {
            templates: fc.array(
                fc.array(fc.tuple(u32, fc.string(), orNull(fc.integer({ min: 0, max: 255 }))), { maxLength: 6 }),
                { maxLength: 3 },
            ),
            sets: fc.array(fc.array(fc.array(u32, { maxLength: 4 }), { maxLength: 4 }), { maxLength: 3 }),
            cms: fc.array(fc.tuple(fc.string(), fc.nat(), fc.nat(), num), { maxLength: 3 }),
            devices: fc.array(
                rec({
                    key: fc.string({ minLength: 1 }),
                    name: orNull(fc.string()),
                    mac: orNull(fc.string()),
                    ip: orNull(fc.string()),
                    stationIp: orNull(fc.string()),
                    deviceType: orNull(u32),
                    firmware: orNull(fc.string()),
                    protocolVersion: orNull(u32),
                    cmProtocolVersion: orNull(u32),
                    keepAliveS: orNull(num),
                    secondaryKeepAliveS: orNull(num),
                    dateTemplate: orNull(fc.string()),
                    userName: orNull(fc.string()),
                    serverName: orNull(fc.string()),
                    homeCm: orNull(fc.string()),
                    mode: fc.constantFrom("callstate" as const, "derived" as const, "unknown" as const),
                    template: fc.nat(),
                    sets: fc.nat(),
                    clock: orNull(
                        rec({ localMs: num, setAt: num, utcOffsetS: orNull(fc.integer({ min: -50400, max: 50400 })) }),
                    ),
                    learnedBy: fc.constantFrom("registration" as const, "traffic" as const),
                    learnedAt: num,
                    lastSeen: num,
                    lines: fc.array(line, { maxLength: 3 }),
                }),
                { maxLength: 4 },
            ),
        },
        { noNullPrototype: true },
    )
    .map(({ templates, sets, cms, devices }) => {
        // ids 100, 101, … for templates and 200, 201, … for sets; some references absent
        const ref = (i: number, n: number, base: number) => (n === 0 || i % 3 === 0 ? null : base + (i % n));
        return {
            templates: templates.map((slots, i) => ({
                id: 100 + i,
                events: slots.map((x) => x[0]),
                labels: slots.map((x) => x[1]),
                codes: slots.map((x) => x[2]),
            })),
            sets: sets.map((s, i) => ({ id: 200 + i, sets: s })),
            callManagers: cms.map(([address, tpl, set, learnedAt]) => ({
                address,
                template: ref(tpl, templates.length, 100),
                sets: ref(set, sets.length, 200),
                learnedAt,
            })),
            devices: devices.map((d) => ({
                ...d,
                template: ref(d.template, templates.length, 100),
                sets: ref(d.sets, sets.length, 200),
            })),
        };
    });

/** The export a model would hand the writer for `k` (every device at revision `rev`). */
function asExport(k: KnowledgeSnapshot, rev: (key: string) => number = () => 0, calls?: string[]): KnowledgeExport {
    return {
        templates: k.templates,
        sets: k.sets,
        callManagers: k.callManagers,
        devices: k.devices.map((d) => ({
            key: d.key,
            rev: rev(d.key),
            snapshot: () => {
                calls?.push(d.key);
                return d;
            },
        })),
    };
}

t.test("decode(encode(k)) deep-equals k; the caching encoder gives the same bytes", async (t) => {
    let n = 0;
    fc.assert(
        fc.property(knowledge, (k) => {
            const bytes = encodeKnowledge(k);
            t.strictSame(decodeKnowledge(bytes), k);
            // device keys are unique in a model
            const unique = {
                ...k,
                devices: k.devices.filter((d, i) => k.devices.findIndex((x) => x.key === d.key) === i),
            };
            t.strictSame(
                Buffer.from(new KnowledgeEncoder().encode(asExport(unique))),
                Buffer.from(encodeKnowledge(unique)),
            );
            n++;
        }),
        { numRuns: 200 },
    );
    t.equal(n, 200);
});

t.test("the encoder re-encodes a device only when its revision moved", async (t) => {
    const k = JSON.parse(readFileSync(join(fixtures, "expected-knowledge.json"), "utf8")) as KnowledgeSnapshot;
    const encoder = new KnowledgeEncoder();
    const calls: string[] = [];
    const revs = new Map<string, number>();
    const rev = (key: string) => revs.get(key) ?? 0;
    encoder.encode(asExport(k, rev, calls));
    t.strictSame(calls, ["SEP001122334455", "@10.102.10.77"], "every device the first time");
    calls.length = 0;
    encoder.encode(asExport(k, rev, calls));
    t.strictSame(calls, [], "none when nothing changed");
    revs.set("@10.102.10.77", 1);
    const changed = structuredClone(k);
    (changed.devices[1] as { lastSeen: number }).lastSeen = 1780600000;
    const bytes = encoder.encode(asExport(changed, rev, calls));
    t.strictSame(calls, ["@10.102.10.77"], "only the device that changed");
    t.strictSame(decodeKnowledge(bytes), changed);
    const gone = { ...changed, devices: [changed.devices[1]!] };
    t.strictSame(decodeKnowledge(encoder.encode(asExport(gone, rev, calls))), gone, "a device gone is gone");
    encoder.reset();
    calls.length = 0;
    encoder.encode(asExport(gone, rev, calls));
    t.strictSame(calls, ["@10.102.10.77"], "reset: every device again");
});

t.test("every released knowledge schema still loads", async (t) => {
    const expected = JSON.parse(readFileSync(join(fixtures, "expected-knowledge.json"), "utf8"));
    const slots = readdirSync(fixtures).filter((f) => f.startsWith("knowledge-") && f.endsWith(".slot"));
    // a release that adds a schema version must add its fixture (make-fixtures.ts)
    for (let v = 1; v <= KNOWLEDGE_SCHEMA_VERSION; v++)
        t.ok(slots.includes(`knowledge-schema${v}.slot`), `schema ${v}`);
    for (const name of slots) {
        const slot = decodeSlot(readFileSync(join(fixtures, name)));
        if (typeof slot === "string") {
            t.fail(`${name}: ${slot}`);
            continue;
        }
        t.equal(slot.formatVersion, KNOWLEDGE_FORMAT);
        t.strictSame(decodeKnowledge(slot.payload), expected, name);
    }
});

function code(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        return err instanceof StoreError ? err.code : `not a StoreError: ${String(err)}`;
    }
    return "no error";
}

t.test("bad knowledge fails with a StoreError naming the problem", async (t) => {
    const k = JSON.parse(readFileSync(join(fixtures, "expected-knowledge.json"), "utf8")) as KnowledgeSnapshot;
    const File = SNAPSHOT_ROOT.lookupType("callbackd.store.v1.KnowledgeFile");
    const raw = (patch: (m: Record<string, unknown>) => void): Uint8Array => {
        const m = File.toObject(File.decode(encodeKnowledge(k)), { defaults: false }) as Record<string, unknown>;
        patch(m);
        return File.encode(File.fromObject(m)).finish();
    };
    const knowledgeOf = (m: Record<string, unknown>) => m.knowledge as Record<string, Array<Record<string, unknown>>>;
    t.equal(
        code(() => decodeKnowledge(Uint8Array.of(0x12, 0xff))),
        "STORE_SNAPSHOT_INVALID",
        "not protobuf",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => (m.schemaVersion = KNOWLEDGE_SCHEMA_VERSION + 1)))),
        "STORE_SNAPSHOT_TOO_NEW",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => delete m.schemaVersion))),
        "STORE_SNAPSHOT_INVALID",
    );
    t.strictSame(
        decodeKnowledge(raw((m) => delete m.knowledge)),
        { templates: [], sets: [], callManagers: [], devices: [] },
        "a file without knowledge knows nothing",
    );
    const device = (m: Record<string, unknown>) => knowledgeOf(m).devices![0]!;
    t.equal(
        code(() => decodeKnowledge(raw((m) => (device(m).template = 99)))),
        "STORE_SNAPSHOT_INVALID",
        "no such template",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => (device(m).sets = 99)))),
        "STORE_SNAPSHOT_INVALID",
        "no such sets",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => delete device(m).key))),
        "STORE_SNAPSHOT_INVALID",
        "no key",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => delete device(m).learnedBy))),
        "STORE_SNAPSHOT_INVALID",
        "no learnedBy",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => (knowledgeOf(m).callManagers![1]!.template = 5)))),
        "STORE_SNAPSHOT_INVALID",
        "a CallManager's template missing",
    );
    t.equal(
        code(() => decodeKnowledge(raw((m) => (knowledgeOf(m).templates![1]!.id = 11)))),
        "STORE_SNAPSHOT_INVALID",
        "a table id twice",
    );
    t.equal(
        code(() =>
            decodeKnowledge(
                raw((m) => {
                    (knowledgeOf(m).templates![0]!.labels as string[]).pop();
                }),
            ),
        ),
        "STORE_SNAPSHOT_INVALID",
        "a template whose slots do not line up",
    );
});
