import t from "tap";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import { encodeSccp, type SccpMessage } from "../../src/sccp/codec.js";
import { sccpRoute } from "../../src/sccp/stream.js";
import { TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { reverse, seg } from "../helpers/segments.js";

const keepAlive = encodeSccp({ hv: 0, id: 0x0000, fields: {} });
const callState = encodeSccp({
    hv: 0,
    id: 0x0111,
    fields: { callState: 4, lineInstance: 1, callReference: 77, privacy: 0, precedenceLevel: 4, precedenceDomain: 0 },
});
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);

function setup(opts: Parameters<typeof sccpRoute>[1] = {}) {
    const records: ProtocolRecord[] = [];
    const d = new ProtocolDispatcher([sccpRoute([2000], opts)], (r) => records.push(r));
    const r = new TcpReassembler(d, { maxOutOfOrderSegmentsPerDirection: 1 });
    return { records, r };
}

t.test("messages split and coalesced across segments decode in order with their direction", async (t) => {
    const { records, r } = setup();
    const c = seg({ seq: 0, flags: TcpFlag.SYN });
    r.push(c);
    r.push(seg({ ...reverse(c), seq: 500, flags: TcpFlag.SYN | TcpFlag.ACK }));
    const down = cat(callState, keepAlive);
    r.push(seg({ ...reverse(c), seq: 501, payload: down.subarray(0, 20), ts: 2 }));
    r.push(seg({ ...reverse(c), seq: 521, payload: down.subarray(20), ts: 3 }));
    r.push(seg({ seq: 1, payload: keepAlive, ts: 4 }));
    r.flush(5);
    t.same(
        records.map((x) => [x.src, x.name, x.t]),
        [
            ["10.0.0.2:2000", "CallState", 3],
            ["10.0.0.2:2000", "KeepAliveReq", 3],
            ["10.0.0.1:50000", "KeepAliveReq", 4],
        ],
    );
    t.match(records[0]?.fields, { callState: 4, lineInstance: 1, callReference: 77 });
    t.equal(records[0]?.hv, 0);
    t.equal(records[0]?.id, 0x0111);
});

t.test("a gap inside a message is reported and the framer stays in step", async (t) => {
    const { records, r } = setup();
    r.push(seg({ seq: 0, flags: TcpFlag.SYN }));
    const up = cat(keepAlive, callState, keepAlive);
    r.push(seg({ seq: 1, payload: up.subarray(0, 16) })); // keepalive + 4 bytes of CallState
    // 10 bytes of CallState lost; two later segments force the gap.
    r.push(seg({ seq: 27, payload: up.subarray(26, 40) }));
    r.push(seg({ seq: 41, payload: up.subarray(40) }));
    t.same(
        records.map((x) => x.name),
        ["KeepAliveReq", "Gap", "KeepAliveReq"],
    );
    t.same(records[1]?.fields, { missedBytes: 10, discardedBytes: 4 });
});

t.test("a connection joined mid-stream hunts for a header and reports what it skipped", async (t) => {
    const { records, r } = setup();
    const up = cat(callState.subarray(5), keepAlive, callState);
    r.push(seg({ seq: 1000, payload: up }));
    r.flush(2);
    t.same(
        records.map((x) => x.name),
        ["Resync", "KeepAliveReq", "CallState"],
    );
    t.same(records[0]?.fields, { skippedBytes: callState.length - 5 });
});

t.test("a partial message at the end of the stream is reported as a gap", async (t) => {
    const { records, r } = setup();
    r.push(seg({ seq: 0, flags: TcpFlag.SYN }));
    r.push(seg({ seq: 1, payload: cat(keepAlive, callState.subarray(0, 9)) }));
    r.push(seg({ seq: 22, flags: TcpFlag.FIN | TcpFlag.ACK }));
    r.push(seg({ ...reverse(seg({ seq: 0 })), seq: 9, flags: TcpFlag.FIN | TcpFlag.ACK }));
    t.same(
        records.map((x) => [x.name, x.fields]),
        [
            ["KeepAliveReq", {}],
            ["Gap", { missedBytes: 0, discardedBytes: 9 }],
        ],
    );
});

t.test("counting mode names messages without decoding; an observer sees decoded messages", async (t) => {
    const counting = setup({ decodeFields: false });
    counting.r.push(seg({ seq: 0, flags: TcpFlag.SYN }));
    counting.r.push(seg({ seq: 1, payload: callState }));
    t.same(counting.records[0]?.fields, {});
    t.equal(counting.records[0]?.name, "CallState");

    const seen: Array<[number, string]> = [];
    let gaps = 0;
    let closed = 0;
    const observed = setup({
        decodeFields: false,
        observer: {
            onSccpMessage: (_ctx, dir, msg: SccpMessage) => seen.push([dir, msg.name]),
            onSccpGap: () => gaps++,
            onSccpClose: () => closed++,
        },
    });
    observed.r.push(seg({ seq: 0, flags: TcpFlag.SYN }));
    observed.r.push(seg({ seq: 1, payload: callState }));
    observed.r.push(seg({ seq: 100, payload: keepAlive }));
    observed.r.push(seg({ seq: 200, payload: keepAlive }));
    observed.r.flush(9);
    t.same(seen, [
        [0, "CallState"],
        [0, "KeepAliveReq"],
        [0, "KeepAliveReq"],
    ]);
    t.match(observed.records[0]?.fields, { callState: 4 }, "an observer implies decoding");
    t.equal(gaps, 2);
    t.equal(closed, 1);
});

t.test("records: false — the observer sees every message, no record is built for them", async (t) => {
    const seen: string[] = [];
    const { records, r } = setup({
        records: false,
        observer: { onSccpMessage: (_ctx, dir, msg) => seen.push(`${dir}:${msg.name}`) },
    });
    const c = seg({ seq: 0, flags: TcpFlag.SYN });
    r.push(c);
    r.push(seg({ ...reverse(c), seq: 500, flags: TcpFlag.SYN | TcpFlag.ACK }));
    r.push(seg({ ...reverse(c), seq: 501, payload: cat(callState, keepAlive), ts: 2 }));
    r.push(seg({ seq: 1, payload: keepAlive, ts: 3 }));
    r.flush(5);
    t.same(seen, ["1:CallState", "1:KeepAliveReq", "0:KeepAliveReq"]);
    t.same(records, [], "no records");
});
