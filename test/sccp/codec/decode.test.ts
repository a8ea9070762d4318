/** Decoding: layout by length and version, raw copies of irregular bodies, context updates, strict frames. */
import t from "tap";
import { decodeSccpBody, decodeSccpBodyAt, decodeSccpFrame } from "../../../src/sccp/codec/decode.js";
import { encodeSccp } from "../../../src/sccp/codec/encode.js";
import { SccpConnectionContext } from "../../../src/sccp/context.js";
import { SCCP_ID } from "../../../src/sccp/tables/messages.js";

const frame = (id: number, fields: Record<string, unknown>, hv = 0) => encodeSccp({ hv, id, fields: fields as never });

t.test("a clean body decodes to fields without a raw copy; a view decodes in place", async (t) => {
    const f = frame(0x0111, {
        callState: 1,
        lineInstance: 1,
        callReference: 7,
        privacy: 0,
        precedenceLevel: 4,
        precedenceDomain: 0,
    });
    const m = decodeSccpFrame(f);
    t.match(m, { id: 0x0111, name: "CallState", hv: 0, fields: { callState: 1, callReference: 7 } });
    t.equal(m.raw, undefined);
    const buf = new Uint8Array(f.length + 8);
    buf.set(f, 4);
    const at = decodeSccpBodyAt(0x0111, 0, buf, 4 + 12, 4 + f.length);
    t.same(at.fields, m.fields);
});

t.test("garbage after a string's NUL is kept as a raw copy, counted as irregular", async (t) => {
    const f = frame(SCCP_ID.SpeedDialStatRes, {
        speedDialNumber: 1,
        speedDialDirNumber: "1001",
        speedDialDisplayName: "A",
    });
    const body = f.slice(12);
    body[4 + 5] = 0x41; // after "1001\0"
    const ctx = new SccpConnectionContext();
    const m = decodeSccpBody(SCCP_ID.SpeedDialStatRes, 0, body, ctx);
    t.equal(m.fields.speedDialDirNumber, "1001");
    t.ok(m.raw instanceof Uint8Array);
    t.equal(ctx.stats.irregular, 1);
    t.equal(ctx.stats.messages, 1);
    t.equal(
        decodeSccpBody(SCCP_ID.SpeedDialStatRes, 0, body, undefined, false).raw,
        undefined,
        "keepRaw false keeps none",
    );
});

t.test("an id without layout decodes to its body in hex; RegisterReq teaches the context", async (t) => {
    const ctx = new SccpConnectionContext();
    t.same(decodeSccpBody(0x7777, 0, Uint8Array.of(1, 0xab), ctx).fields, { body: "01ab" });
    t.equal(ctx.stats.opaque, 1);
    const reg = frame(SCCP_ID.RegisterReq, {
        deviceName: "SEP001E4A000001",
        "reserved.for.future.use": 0,
        instance: 1,
        stationIpAddr: "10.0.0.1",
        deviceType: 7,
        maxStreams: 5,
        activeStreams: 0,
        protocolVer: 6,
        unknown: 0,
        phoneFeatures: 0x8100,
        maxConferences: 0,
    });
    decodeSccpFrame(reg, ctx);
    t.equal(ctx.deviceName, "SEP001E4A000001");
    t.equal(ctx.phoneProtocolVer, 6);
});

t.test("a frame must hold its header and a length word that matches", async (t) => {
    t.throws(() => decodeSccpFrame(new Uint8Array(8)), { code: "SCCP_SHORT_FRAME" });
    const f = frame(0x0000, {});
    f[0] = 99;
    t.throws(() => decodeSccpFrame(f), { code: "SCCP_BAD_LENGTH" });
});
