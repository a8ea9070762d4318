/** Gaps: uncertain instead of guessing, recovery on the next authoritative message. */
import t from "tap";
import { ClusterModel } from "../../src/cluster/model.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import { encodeSccp } from "../../src/sccp/codec.js";
import { sccpRoute } from "../../src/sccp/stream.js";
import { TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { reverse, seg } from "../helpers/segments.js";
import { callState, Harness } from "./helpers.js";

const B = { name: "SEP0000000B0002", ip: "10.1.0.2", dns: ["1002", "1102"] };

t.test("a gap during a call: the DN reads unknown until CallState tells", async (t) => {
    const h = new Harness();
    const b = h.register(B, 0);
    callState(b, 1, 5, 1, 200);
    h.clear();
    b.gap(2);
    t.same(h.lineChanges(), ["1002:busy>unknown", "1102:idle>unknown"]);
    t.match(h.of("LineStateChanged")[0], { uncertain: true });
    const d = h.model.device(B.name)!;
    t.equal(d.uncertain, true);
    t.match(d.lines[0], { uncertain: true, state: "unknown" });
    t.match(d.lines[0]!.calls[0], { uncertain: true });
    t.match(h.model.dn("1002"), { state: "unknown", uncertain: true, stateSource: "sccp" });
    // The call ended in the gap; its CallState OnHook... never came. The next CallState on line 1 for the
    // old call tells it is still there (Hold).
    callState(b, 3, 8, 1, 200);
    t.same(h.lineChanges().slice(2), ["1002:unknown>busy"]);
    callState(b, 4, 2, 1, 200);
    t.same(h.lineChanges().slice(3), ["1002:busy>idle"]);
    t.equal(h.model.dn("1002").uncertain, false);
    // Line 2 had no call: LineStatRes for it recovers it.
    b.down(5, "LineStatRes", {
        lineNumber: 2,
        lineDirNumber: "1102",
        lineFullyQualifiedDisplayName: "",
        lineTextLabel: "",
        lineDisplayOptions: 0,
    });
    t.same(h.lineChanges().slice(4), ["1102:unknown>idle"]);
    t.equal(h.model.device(B.name)!.uncertain, false);
});

t.test("a call that ended during the gap goes away with the idle screen", async (t) => {
    const h = new Harness();
    const b = h.register(B, 0);
    callState(b, 1, 5, 1, 200);
    b.gap(2);
    h.clear();
    b.down(3, "SelectSoftKeys", { lineInstance: 0, callReference: 0, softKeySetIndex: 0, validKeyMask: 0xffffffff });
    t.same(h.lineChanges().sort(), ["1002:unknown>idle", "1102:unknown>idle"]);
    t.equal(h.model.liveCalls().length, 0);
    t.equal(h.model.device(B.name)!.uncertain, false);
});

t.test("a CallState for a new call recovers a line that had none; a busy certain line wins over unknown", async (t) => {
    const h = new Harness();
    const b = h.register(B, 0);
    const b2 = h.register({ name: "SEP0000000B0003", ip: "10.1.0.3", dns: ["1002"] }, 0); // shares 1002
    b.gap(1);
    t.equal(h.model.dnState("1002"), "unknown");
    callState(b2, 2, 5, 1, 300); // the other phone is in a call: busy is certain
    t.equal(h.model.dnState("1002"), "busy");
    t.equal(h.model.dn("1002").uncertain, true);
    callState(b2, 3, 2, 1, 300);
    t.equal(h.model.dnState("1002"), "unknown");
    callState(b, 4, 4, 1, 201);
    t.equal(h.model.dnState("1002"), "ringing");
    t.equal(h.model.device(B.name)!.lines[0]!.uncertain, false);
    t.equal(h.model.device(B.name)!.uncertain, true); // line 2 still is
});

t.test("re-registration recovers everything", async (t) => {
    const h = new Harness();
    const b = h.register(B, 0);
    callState(b, 1, 5, 1, 200);
    b.gap(2);
    h.register(B, 3, b);
    t.equal(h.model.device(B.name)!.uncertain, false);
    t.equal(h.model.dnState("1002"), "idle");
    t.equal(h.model.liveCalls().length, 0);
});

t.test("a gap before the device is known taints what the connection then teaches", async (t) => {
    const h = new Harness();
    const l = h.link("10.1.0.9");
    l.gap(1, 0);
    l.down(2, "CallState", { callState: 5, lineInstance: 1, callReference: 9 });
    const d = h.model.deviceByIp("10.1.0.9")!;
    t.equal(d.uncertain, false); // the CallState recovered the only line
    t.equal(h.model.stats().gaps, 1);
});

t.test("gaps through the real reassembler and framer", async (t) => {
    const events: ClusterEvent[] = [];
    const model = new ClusterModel({ onEvent: (e) => events.push(e) });
    const d = new ProtocolDispatcher([sccpRoute([2000], { observer: model })], () => {});
    const r = new TcpReassembler(d, { maxOutOfOrderSegmentsPerDirection: 1 });
    const enc = (hv: number, id: number, fields: Record<string, number | string>) => encodeSccp({ hv, id, fields });
    const c = seg({ seq: 0, flags: TcpFlag.SYN, srcAddr: "10.1.0.2", dstAddr: "10.0.0.1" });
    r.push(c);
    r.push(seg({ ...reverse(c), seq: 1000, flags: TcpFlag.SYN | TcpFlag.ACK }));
    const up = Buffer.concat([
        enc(0, 0x0001, { deviceName: "SEP0000000B0002", stationIpAddr: "10.1.0.2", deviceType: 7 }),
    ]);
    r.push(seg({ ...c, seq: 1, payload: up, ts: 1, flags: TcpFlag.ACK }));
    const down = Buffer.concat([
        enc(0, 0x0081, {
            keepAliveInterval: 30,
            dateTemplate: "M/D/Y",
            secondaryKeepAliveInterval: 60,
            maxProtocolVer: 6,
            phoneFeatures: 0,
        }),
        enc(0, 0x0092, {
            lineNumber: 1,
            lineDirNumber: "1002",
            lineFullyQualifiedDisplayName: "",
            lineTextLabel: "",
            lineDisplayOptions: 0,
        }),
        enc(0, 0x0111, {
            callState: 5,
            lineInstance: 1,
            callReference: 7,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        }),
    ]);
    // Split across segments.
    r.push(seg({ ...reverse(c), seq: 1001, payload: down.subarray(0, 50), ts: 2 }));
    r.push(seg({ ...reverse(c), seq: 1051, payload: down.subarray(50), ts: 2 }));
    t.equal(model.dnState("1002"), "busy");
    // The Hold CallState (36 bytes) is lost; two later segments force the gap.
    const more = Buffer.concat([
        enc(0, 0x0111, {
            callState: 8,
            lineInstance: 1,
            callReference: 7,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        }),
        enc(0, 0x0111, {
            callState: 2,
            lineInstance: 1,
            callReference: 7,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        }),
        enc(0, 0x0100, {}),
    ]);
    const base = 1001 + down.length;
    r.push(seg({ ...reverse(c), seq: base + 36, payload: more.subarray(36, 60), ts: 3 }));
    r.push(seg({ ...reverse(c), seq: base + 60, payload: more.subarray(60), ts: 3 }));
    t.equal(model.stats().gaps, 1);
    const changes = events.flatMap((e) => (e.type === "LineStateChanged" ? [`${e.from}>${e.to}`] : []));
    // Busy, then unknown at the gap, then idle once the OnHook CallState arrives.
    t.same(changes, ["unknown>idle", "idle>busy", "busy>unknown", "unknown>idle"]);
    t.equal(model.device("SEP0000000B0002")!.uncertain, false);
    r.flush(10);
    t.equal(model.device("SEP0000000B0002")!.registration, "registered"); // end of input is not a close
});
