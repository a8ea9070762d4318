import t from "tap";
import { ProtocolDispatcher, type StreamContext } from "../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import { encodeQbe } from "../../src/qbe/codec.js";
import { type CtiEvent, CtiLinkObserver } from "../../src/qbe/link.js";
import { newQbeStreamStats, qbeRoute, qbeStreamDecoder } from "../../src/qbe/stream.js";
import { type TcpConnection, TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { reverse, seg } from "../helpers/segments.js";
import { concat, fixture, loadFixtures, put32 } from "./helpers.js";

const NAMES = ["10.0.0.5:40000", "10.0.0.1:2748"] as const;

function ctx(records: ProtocolRecord[]): StreamContext {
    return { conn: {} as TcpConnection, names: NAMES, emit: (r) => records.push(r) };
}

t.test("records in the decode shape, both directions", async (t) => {
    const records: ProtocolRecord[] = [];
    const d = qbeStreamDecoder(ctx(records));
    const req = fixture("DeviceOpenRequest");
    const resp = fixture("DeviceOpenResponse");
    d.data(0, req.bytes.subarray(0, 50), 100.5);
    d.data(0, req.bytes.subarray(50), 100.6);
    d.data(1, resp.bytes, 100.7);
    d.close(101, "fin");
    t.strictSame(records, [
        { t: 100.6, proto: "qbe", src: NAMES[0], dst: NAMES[1], id: 16, name: "DeviceOpenRequest", fields: req.fields },
        {
            t: 100.7,
            proto: "qbe",
            src: NAMES[1],
            dst: NAMES[0],
            id: 17,
            name: "DeviceOpenResponse",
            fields: resp.fields,
        },
    ]);
    // The record survives JSON as is.
    t.strictSame(JSON.parse(JSON.stringify(records[0])).fields, req.fields);
});

t.test("Gap and Resync records with byte counts; problems travel with the record", async (t) => {
    const records: ProtocolRecord[] = [];
    const stats = newQbeStreamStats();
    const d = qbeStreamDecoder(ctx(records), { stats });
    const a = fixture("NewCallEvent").bytes;
    const b = fixture("RingEvent").bytes;
    d.data(1, a.subarray(0, 100), 1);
    d.gap(1, a.length - 100 + 5, 2, "timeout"); // loses the end of a and 5 bytes of b
    d.data(1, concat([b.subarray(5), b]), 3);
    const bad = new Uint8Array(fixture("FailureResponse").bytes);
    put32(bad, 40, 5000); // description offset outside the frame
    d.data(1, bad, 4);
    d.data(1, Uint8Array.from([1, 2, 3]), 5); // in sync, this looks like the start of a header
    d.data(0, b.subarray(0, 10), 5); // partial frame at the end
    d.close(6, "rst");
    t.strictSame(
        records.map((r) => [
            r.name,
            r.src === NAMES[1] ? "S" : "C",
            r.name === "Gap" || r.name === "Resync" ? r.fields : r.id,
        ]),
        [
            ["Gap", "S", { missedBytes: a.length - 100 + 5, discardedBytes: 100, reason: "timeout" }],
            ["Resync", "S", { skippedBytes: b.length - 5 }],
            ["RingEvent", "S", 87],
            ["FailureResponse", "S", 0],
            ["Gap", "C", { missedBytes: 0, discardedBytes: 10, skippedBytes: 0, reason: "end" }],
            ["Gap", "S", { missedBytes: 0, discardedBytes: 3, skippedBytes: 0, reason: "end" }],
        ],
    );
    const fail = records.find((r) => r.name === "FailureResponse")!;
    t.match(fail.fields._problems, [/description: data/]);
    t.equal(fail.fields.description, null);
    t.match(stats, { frames: 2, problems: 1, gaps: 1, resyncs: 1, skippedBytes: b.length - 5, discardedBytes: 113 });
    // Garbage left unresolved at the end is reported as skipped.
    const r2: ProtocolRecord[] = [];
    const d2 = qbeStreamDecoder(ctx(r2));
    d2.data(0, new Uint8Array(40).fill(9), 1);
    d2.close(2, "fin");
    t.strictSame(r2.at(-1)?.fields, { missedBytes: 0, discardedBytes: 0, skippedBytes: 40, reason: "end" });
});

t.test("a connection joined mid-stream hunts for its first header", async (t) => {
    const records: ProtocolRecord[] = [];
    const d = qbeStreamDecoder({ ...ctx(records), conn: { midstream: true } as TcpConnection });
    const a = fixture("RingEvent").bytes;
    d.data(1, concat([a.subarray(20), a]), 1);
    t.strictSame(
        records.map((r) => r.name),
        ["Resync", "RingEvent"],
    );
    t.strictSame(records[0]?.fields, { skippedBytes: a.length - 20 });
});

t.test("unknown ids are reported, not dropped", async (t) => {
    const records: ProtocolRecord[] = [];
    const stats = newQbeStreamStats();
    const d = qbeStreamDecoder(ctx(records), { stats });
    const frame = encodeQbe("Heartbeat");
    put32(frame, 16, 85);
    d.data(1, frame, 1);
    t.match(records[0], { id: 85, name: "CALL_STATE_CHANGED_EVENT", fields: { fixedSize: 0, varSize: 0 } });
    t.equal(stats.unknown, 1);
});

t.test("observer hook: the link observer sees every message with ms times, and the close", async (t) => {
    const events: CtiEvent[] = [];
    const obs = new CtiLinkObserver((e) => events.push(e));
    const records: ProtocolRecord[] = [];
    const d = qbeStreamDecoder(ctx(records), { observer: obs });
    d.data(0, encodeQbe("ProviderOpenRequest", { sequenceNumber: 1 }), 10);
    d.data(1, concat([fixture("ProviderOpenResponse").bytes, fixture("ProviderOpenCompletedEvent").bytes]), 10.25);
    t.match(events, [
        { type: "ProviderOpening", t: 10000 },
        { type: "LinkUp", t: 10250 },
    ]);
    const key = `${NAMES[0]}>${NAMES[1]}`;
    t.match(obs.session(key), { client: NAMES[0], server: NAMES[1], state: "up" });
    d.close(20, "fin");
    t.match(events.at(-1), { type: "LinkDown", reason: "connection-closed", t: 20000 });
    // Without onQbeClose the hook is optional.
    const d2 = qbeStreamDecoder(ctx([]), { observer: { onQbeMessage() {} } });
    d2.close(1, "fin");
});

t.test("through the dispatcher and TCP reassembly: a whole session in segments", async (t) => {
    const records: ProtocolRecord[] = [];
    const events: CtiEvent[] = [];
    const obs = new CtiLinkObserver((e) => events.push(e));
    const dispatcher = new ProtocolDispatcher([qbeRoute([2748], { observer: obs })], (r) => records.push(r));
    const r = new TcpReassembler(dispatcher);
    const cli = { srcAddr: "10.0.0.5", dstAddr: "10.0.0.1", srcPort: 40000, dstPort: 2748 };
    const syn = seg({ ...cli, seq: 1000, flags: TcpFlag.SYN, ts: 1 });
    r.push(syn);
    r.push(seg({ ...reverse(syn), seq: 9000, flags: TcpFlag.SYN | TcpFlag.ACK, ts: 1 }));
    let cseq = 1001;
    let sseq = 9001;
    let ts = 2;
    const c2s = ["ProviderInitRequest", "ProviderOpenRequest", "DeviceOpenRequest", "LineOpenRequest", "Heartbeat"];
    const s2c = ["ProviderInitResponse", "ProviderOpenResponse", "ProviderOpenCompletedEvent", "DeviceOpenResponse"];
    const order = [
        c2s[0],
        s2c[0],
        c2s[1],
        s2c[1],
        s2c[2],
        c2s[2],
        s2c[3],
        c2s[3],
        "LineOpenResponse",
        "NewCallEvent",
        c2s[4],
    ];
    for (const name of order as string[]) {
        const fx = fixture(name);
        const fromClient = fx.direction !== "S2C";
        // Two segments per frame, to exercise reassembly into the framer.
        const half = fx.bytes.length >> 1;
        for (const part of [fx.bytes.subarray(0, half), fx.bytes.subarray(half)]) {
            if (fromClient) {
                r.push(seg({ ...cli, seq: cseq, payload: part, ts }));
                cseq += part.length;
            } else {
                r.push(seg({ ...reverse(syn), seq: sseq, payload: part, ts }));
                sseq += part.length;
            }
        }
        ts += 0.5;
    }
    r.push(seg({ ...cli, seq: cseq, flags: TcpFlag.FIN | TcpFlag.ACK, ts }));
    r.push(seg({ ...reverse(syn), seq: sseq, flags: TcpFlag.FIN | TcpFlag.ACK, ts }));
    t.strictSame(
        records.map((x) => x.name),
        order,
    );
    t.ok(records.every((x) => x.proto === "qbe"));
    t.strictSame(
        events.map((e) => e.type),
        ["ProviderOpening", "LinkUp", "DeviceOpened", "LineOpened", "CallStateChanged", "LinkDown"],
    );
    t.equal(loadFixtures().length, 57);
});
