import t from "tap";
import { ProtocolDispatcher, rawTcpDecoder } from "../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import { TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { seg } from "../helpers/segments.js";

t.test("streams on unclaimed ports go to the fallback as raw chunks and gaps", async (t) => {
    const records: ProtocolRecord[] = [];
    const d = new ProtocolDispatcher([], (r) => records.push(r), rawTcpDecoder);
    const r = new TcpReassembler(d, { maxOutOfOrderSegmentsPerDirection: 1 });
    const c = { srcAddr: "10.0.0.5", dstAddr: "10.0.0.6", srcPort: 40000, dstPort: 8080 };
    r.push(seg({ ...c, seq: 1, payload: "hi", ts: 5 }));
    r.push(seg({ ...c, seq: 10, payload: "x", ts: 6 }));
    r.push(seg({ ...c, seq: 20, payload: "y", ts: 6 }));
    r.flush(7);
    t.same(records[0], {
        t: 5,
        proto: "tcp",
        src: "10.0.0.5:40000",
        dst: "10.0.0.6:8080",
        name: "Data",
        fields: { len: 2, hex: "6869" },
    });
    t.same(
        records.map((x) => x.name),
        ["Data", "Gap", "Data", "Gap", "Data"],
    );
    t.same(records[1]?.fields, { missedBytes: 7, reason: "out-of-order-limit" });
});

t.test("without a fallback, unclaimed streams are ignored; claimed ones reach their decoder", async (t) => {
    const seen: string[] = [];
    const d = new ProtocolDispatcher(
        [
            {
                ports: [2000],
                factory: (ctx) => ({
                    data: (dir, bytes) => seen.push(`${ctx.names[dir]} ${Buffer.from(bytes).toString()}`),
                    gap: () => seen.push("gap"),
                    close: (_ts, reason) => seen.push(`close ${reason}`),
                }),
            },
        ],
        () => t.fail("no records expected"),
    );
    const r = new TcpReassembler(d);
    r.push(seg({ srcPort: 40000, dstPort: 9999, seq: 1, payload: "ignored" }));
    r.push(seg({ srcPort: 40001, dstPort: 2000, seq: 1, payload: "abc" }));
    r.push(seg({ srcPort: 40001, dstPort: 2000, seq: 4, flags: TcpFlag.RST }));
    t.same(seen, ["10.0.0.1:40001 abc", "close rst"]);
});
