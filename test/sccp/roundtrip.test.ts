/**
 * Round trips, table-driven from the layout tables: decode(encode(m)) == m for every supported message,
 * every layout variant and header versions in its range; encode of a decoded message is byte-exact,
 * including bodies with garbage after NULs or unknown tails (kept as raw).
 */
import t from "tap";
import {
    decodeSccpBody,
    decodeSccpFrame,
    encodeSccp,
    hasSccpLayout,
    SccpEncodeError,
    type SccpMessage,
    sameSccpFields,
    sccpMessageName,
    sccpRecord,
} from "../../src/sccp/codec.js";
import { SccpConnectionContext } from "../../src/sccp/context.js";
import { compileField } from "../../src/sccp/layout.js";
import { SCCP_MESSAGE_TABLE } from "../../src/sccp/tables/messages.js";
import { buildSamples, prng, type Sample } from "./helpers/samples.js";

/** Variants that cannot round-trip from fields alone, with the reason. */
function ambiguity(s: Sample): string | undefined {
    if (s.msg.id === 0x014a && !("AlternateCallingParty" in s.msg.fields)) {
        // Unambiguous only without padding: then a 13th string would run past the body.
        let content = 32;
        for (const v of Object.values(s.msg.fields)) if (typeof v === "string") content += v.length + 1;
        if (content % 4 === 0) return undefined;
        return "CallInfoV2 with 12 strings (chan-sccp-b, protocol 8-15) reads as the 13/15-string form when padding allows, as Wireshark does";
    }
    return undefined;
}

function hex(b: Uint8Array): string {
    return Buffer.from(b).toString("hex");
}

function frameOf(hv: number, id: number, body: number[] | Uint8Array): Uint8Array {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32LE(body.length + 4, 0);
    out.writeUInt32LE(hv, 4);
    out.writeUInt32LE(id, 8);
    Buffer.from(body).copy(out, 12);
    return new Uint8Array(out);
}

t.test("decode(encode(m)) == m for every layout variant and generation", async (t) => {
    const variants = new Set<string>();
    const skipped = new Map<string, number>();
    let checked = 0;
    const failures: string[] = [];
    for (const opts of [{}, { latin1: true, empty: true }, { ipv6: true }]) {
        for (const s of buildSamples(0x5ccb, 8, opts)) {
            const why = ambiguity(s);
            if (why !== undefined) {
                skipped.set(why, (skipped.get(why) ?? 0) + 1);
                continue;
            }
            const frame = encodeSccp(s.msg);
            const back = decodeSccpFrame(frame);
            checked++;
            variants.add(`${s.msg.id}/${s.variantIndex}`);
            const label = `${s.msg.name} variant ${s.variantIndex} hv ${s.msg.hv}`;
            if (JSON.stringify(sccpRecord(back)) !== JSON.stringify(sccpRecord(s.msg))) {
                failures.push(`${label}: ${JSON.stringify(s.msg.fields)} -> ${JSON.stringify(back.fields)}`);
            } else if (back.raw !== undefined) failures.push(`${label}: clean encoding decoded as irregular`);
            else if (hex(encodeSccp(back)) !== hex(frame)) failures.push(`${label}: re-encoding differs`);
        }
    }
    t.same(failures.slice(0, 10), [], `${checked} samples over ${variants.size} variants`);
    for (const [why, n] of skipped) t.comment(`not round-tripped (${n}): ${why}`);
});

t.test("ids without a layout decode to name + raw body and round-trip", async (t) => {
    const rnd = prng(7);
    for (const [id, name] of SCCP_MESSAGE_TABLE) {
        if (hasSccpLayout(id)) continue;
        const body = Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
        const frame = frameOf(0x14, id, body);
        const m = decodeSccpFrame(frame);
        t.equal(m.name, name);
        t.same(m.fields, { body: Buffer.from(body).toString("hex") });
        t.equal(hex(encodeSccp(m)), hex(frame), `${name} re-encodes`);
    }
    const unknown = decodeSccpFrame(frameOf(0, 0x7777, [1, 2, 3]));
    t.equal(unknown.name, "Unknown");
    t.same(unknown.fields, { body: "010203" });
});

t.test("reference examples decode as documented", async (t) => {
    // KeepAlive: 04 00 00 00 | 00 00 00 00 | 00 00 00 00
    t.same(sccpRecord(decodeSccpFrame(frameOf(0, 0, []))), { hv: 0, id: 0, name: "KeepAliveReq", fields: {} });
    // V20 CallState, body 24.
    const cs = decodeSccpFrame(
        frameOf(0x14, 0x111, [5, 0, 0, 0, 1, 0, 0, 0, 0x4a, 0x36, 0x2e, 0x01, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]),
    );
    t.same(cs.fields, {
        callState: 5,
        lineInstance: 1,
        callReference: 19805770,
        privacy: 0,
        precedenceLevel: 4,
        precedenceDomain: 0,
    });
    t.equal(cs.name, "CallState");
    // LineStatV2Res from the sccp-rs fixture.
    const ls = Buffer.from(
        "1c000000160000004701000001000000" + "0f000000" + "3130303100" + "3130303100" + "3130303100" + "00",
        "hex",
    );
    const lsm = decodeSccpFrame(new Uint8Array(ls));
    t.same(lsm.fields, {
        lineNumber: 1,
        lineType: 15,
        lineDirNumber: "1001",
        lineFullyQualifiedDisplayName: "1001",
        lineTextLabel: "1001",
    });
    t.equal(lsm.raw, undefined);
    t.equal(hex(encodeSccp(lsm)), ls.toString("hex"));
    // V20 DialedNumber: 25-byte DN, line at body offset 25, body 36.
    const dn = [...Buffer.from("307"), ...new Array(22).fill(0), 1, 0, 0, 0, 0x4a, 0x36, 0x2e, 0x01, 0, 0, 0];
    const dm = decodeSccpFrame(frameOf(0x14, 0x11d, dn));
    t.same(dm.fields, { dialedNumber: "307", lineInstance: 1, callReference: 19805770 });
    t.equal(dm.raw, undefined);
    // Same message built from fields encodes to the same bytes.
    t.equal(hex(encodeSccp({ hv: 0x14, id: 0x11d, fields: dm.fields })), hex(frameOf(0x14, 0x11d, dn)));
    // Old DialedNumber (hv <= V17) is 24 + 8.
    const old = encodeSccp({ hv: 0, id: 0x11d, fields: dm.fields });
    t.equal(old.length, 12 + 32);
    // A display prompt "From 321": label 0x80 0x17 then literal text.
    const prompt = [10, 0, 0, 0, 0x80, 0x17, 0x33, 0x32, 0x31, ...new Array(27).fill(0), 1, 0, 0, 0, 9, 0, 0, 0];
    const pm = decodeSccpFrame(frameOf(0, 0x112, prompt));
    t.same(pm.fields, {
        timeOutValue: 10,
        promptStatus: "From 321",
        promptStatusCodes: "\x80\x17321",
        lineInstance: 1,
        callReference: 9,
    });
    // The CallBack softkey label renders as "Callback" and keeps its code.
    const tmpl = encodeSccp({
        hv: 0,
        id: 0x108,
        fields: {
            softKeyOffset: 0,
            softKeyCount: 1,
            totalSoftKeyCount: 1,
            definition: [{ softKeyLabel: "Callback", softKeyLabelCodes: "\x80\x41", softKeyEvent: 65 }],
        },
    });
    t.equal(tmpl.length, 12 + 652);
    t.same(tmpl.subarray(24, 26), new Uint8Array([0x80, 0x41]));
    const back = decodeSccpFrame(tmpl);
    t.same(back.fields.definition, [{ softKeyLabel: "Callback", softKeyLabelCodes: "\x80\x41", softKeyEvent: 65 }]);
});

t.test("V22 EnblocCall: packed (7970) and unpacked (8945) forms", async (t) => {
    const dn = [...Buffer.from("1234"), ...new Array(21).fill(0)];
    const packed = decodeSccpFrame(frameOf(0x16, 0x4, [...dn, 2, 0, 0, 0, 0, 0, 0]));
    t.same(packed.fields, { calledParty: "1234", lineInstance: 2 });
    t.equal(packed.raw, undefined, "packed is the canonical V18+ encoding");
    // Wireshark reads this one as packed too and shows lineInstance 16777216 (section 8).
    const unpackedFrame = frameOf(0x16, 0x4, [...dn, 0, 0, 0, 2, 0, 0, 0]);
    const unpacked = decodeSccpFrame(unpackedFrame);
    t.same(unpacked.fields, { calledParty: "1234", lineInstance: 2 });
    t.ok(unpacked.raw, "unpacked keeps raw for byte-exact re-encoding");
    t.equal(hex(encodeSccp(unpacked)), hex(unpackedFrame));
});

t.test("irregular bodies keep raw and re-encode byte-exact; edits re-encode clean", async (t) => {
    // Garbage after the NUL of a DN (CallManager stack garbage).
    const body = [1, 0, 0, 0, ...Buffer.from("1012"), 0, 0x41, 0x42, ...new Array(17).fill(0)];
    const frame = frameOf(0, 0x92, body);
    const m = decodeSccpFrame(frame);
    t.same(m.fields, { lineNumber: 1, lineDirNumber: "1012" });
    t.ok(m.raw, "raw kept");
    t.equal(hex(encodeSccp(m)), hex(frame), "byte-exact");
    // Editing a field drops the raw bytes: clean zero-padded output.
    const edited: SccpMessage = { ...m, fields: { ...m.fields, lineDirNumber: "2000" } };
    const clean = encodeSccp(edited);
    t.equal(hex(clean), hex(frameOf(0, 0x92, [1, 0, 0, 0, ...Buffer.from("2000"), ...new Array(20).fill(0)])));
    // Without raw the same fields encode clean.
    t.equal(hex(encodeSccp({ hv: 0, id: 0x92, fields: m.fields })).length, hex(frame).length);
    // Unknown trailing bytes.
    const tail = frameOf(0, 0x26, [9, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0xde, 0xad]);
    const tm = decodeSccpFrame(tail);
    t.same(tm.fields, { softKeyEvent: 9, lineInstance: 1, callReference: 7 });
    t.equal(hex(encodeSccp(tm)), hex(tail));
    // A raw body supplied by hand (no decode) is checked against the fields too.
    t.equal(hex(encodeSccp({ hv: 0, id: 0x26, fields: tm.fields, raw: tm.raw?.slice() })), hex(tail));
    // keepRaw = false: no copy.
    t.equal(decodeSccpBody(0x26, 0, tail.subarray(12), undefined, false).raw, undefined);
    // Truncated body: decoded as far as it goes, counted, raw kept.
    const ctx = new SccpConnectionContext();
    const short = decodeSccpBody(0x8f, 0, new Uint8Array([0x41, 0x42, 0, 0, 0]), ctx);
    t.same(short.fields, { callingPartyName: "AB" });
    t.equal(ctx.stats.truncated, 1);
    t.equal(ctx.stats.irregular, 1);
    t.equal(hex(encodeSccp(short)), hex(frameOf(0, 0x8f, [0x41, 0x42, 0, 0, 0])));
});

t.test("encoder picks layouts by fields and header version", async (t) => {
    // Partial fields: the smallest layout holding them, zero-filled.
    const st = encodeSccp({ hv: 0, id: 0x82, fields: { tone: 0x23, lineInstance: 1 } });
    t.equal(st.length, 12 + 16);
    t.same(decodeSccpFrame(st).fields, { tone: 0x23, "tone.output.direction": 0, lineInstance: 1, callReference: 0 });
    t.equal(encodeSccp({ hv: 0, id: 0x82, fields: { tone: 0x23 } }).length, 12 + 4);
    // StopTone by generation: empty, line+callRef, +tone.
    t.equal(encodeSccp({ hv: 0, id: 0x83, fields: {} }).length, 12);
    t.equal(encodeSccp({ hv: 0, id: 0x83, fields: { lineInstance: 1, callReference: 2 } }).length, 20);
    t.equal(encodeSccp({ hv: 0x14, id: 0x83, fields: { lineInstance: 1, callReference: 2, tone: 0 } }).length, 24);
    // ForwardStatRes: 24-byte numbers before V18, 25-byte packed after.
    const fwd = {
        activeForward: 1,
        lineNumber: 1,
        forwardAllActive: 1,
        forwardAllNumber: "2000",
        forwardBusyActive: 0,
        forwardBusyNumber: "",
        forwardNoAnswerActive: 0,
        forwardNoAnswerNumber: "",
    };
    t.equal(encodeSccp({ hv: 0, id: 0x90, fields: fwd }).length, 12 + 92);
    const f18 = encodeSccp({ hv: 0x12, id: 0x90, fields: fwd });
    t.equal(f18.length, 12 + 96);
    t.same(decodeSccpFrame(f18).fields, fwd);
    // ButtonTemplateRes with more than 42 buttons uses the 56-slot layout.
    const buttons = Array.from({ length: 50 }, (_, i) => ({ instanceNumber: i, buttonDefinition: 9 }));
    const bt = encodeSccp({
        hv: 0,
        id: 0x97,
        fields: { buttonOffset: 0, buttonCount: 50, totalButtonCount: 50, definition: buttons },
    });
    t.equal(bt.length, 12 + 12 + 112);
    const btm = decodeSccpFrame(bt);
    t.equal((btm.fields.definition as unknown[]).length, 50);
    t.equal(btm.raw, undefined);
    // A string too long for every same-shape layout is cut to the first layout's size.
    const longText = "x".repeat(60);
    const dt = decodeSccpFrame(encodeSccp({ hv: 0, id: 0x99, fields: { text: longText } }));
    t.equal(dt.fields.text, "x".repeat(40), "the 40-byte DisplayText holds the most");
    t.equal(encodeSccp({ hv: 0, id: 0x9d, fields: { text: longText } }).length, 12 + 36);
    // A 25-character number does not fit the V17 layout: the V18 layout is used even at hv 0.
    const wide = encodeSccp({
        hv: 0,
        id: 0x11d,
        fields: { dialedNumber: "1".repeat(25), lineInstance: 1, callReference: 2 },
    });
    t.equal(wide.length, 12 + 36);
    t.equal(decodeSccpFrame(wide).fields.dialedNumber, "1".repeat(25));
    t.ok(sameSccpFields({ a: [1, { b: "x" }] } as never, { a: [1, { b: "x" }] } as never));
    t.notOk(sameSccpFields({ a: [1] }, { a: [2] }));
    t.notOk(sameSccpFields({ a: [1] }, { a: [1, 2] }));
    t.notOk(sameSccpFields({ a: 1 }, { a: 1, b: 2 }));
    t.notOk(sameSccpFields({ a: "1" }, { a: [1] }));
    // Bad layout notation is caught when the tables compile.
    for (const bad of ["u12 x", "u32x2 x", "ipv6 x", "ip8 x", "zzz x", "u8 x y z"]) {
        t.throws(() => compileField(bad), { message: `bad layout field "${bad}"` });
    }
    t.equal(compileField("u16x4 a").size, 8);
    // Errors are typed.
    t.throws(() => encodeSccp({ hv: 0, id: 0x111, fields: { nope: 1 } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x111, fields: { callState: "x" } }), { code: "SCCP_ENCODE_INVALID" });
    t.throws(() => encodeSccp({ hv: 0, id: 0x1, fields: { deviceName: 5 } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x1, fields: { stationIpAddr: "1.2.3" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x97, fields: { definition: 3 } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x97, fields: { definition: [3] } }), SccpEncodeError);
    t.throws(
        () => encodeSccp({ hv: 0, id: 0x109, fields: { definition: [{ softKeyTemplateIndex: ["a"] as never }] } }),
        SccpEncodeError,
    );
    t.throws(() => encodeSccp({ hv: 0, id: 0x105, fields: { key: "xyz" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0x14, id: 0x22, fields: { ipv4or6: 1, "ipAddr.ipv6": "zz::" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0x14, id: 0x22, fields: { ipv4or6: 0, "ipAddr.ipv4": "::1" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x1, fields: { stationIpV6Addr: "1.2.3.4" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x7777, fields: { body: "abc" } }), SccpEncodeError);
    t.throws(() => encodeSccp({ hv: 0, id: 0x7777, fields: { body: 1 } }), SccpEncodeError);
    t.equal(encodeSccp({ hv: 0, id: 0x7777, fields: {} }).length, 12);
    t.throws(() => decodeSccpFrame(new Uint8Array(5)), { code: "SCCP_SHORT_FRAME" });
    t.throws(() => decodeSccpFrame(frameOf(0, 0, [1]).subarray(0, 12)), { code: "SCCP_BAD_LENGTH" });
});

t.test("context learns the negotiated version and breaks ties with it", async (t) => {
    const ctx = new SccpConnectionContext();
    t.equal(ctx.protocolVersion, 0);
    const reg = encodeSccp({
        hv: 0,
        id: 1,
        fields: {
            deviceName: "SEP001122334455",
            "reserved.for.future.use": 0,
            instance: 1,
            stationIpAddr: "10.0.0.5",
            deviceType: 30007,
            maxStreams: 0,
            activeStreams: 0,
            protocolVer: 20,
            unknown: 0,
            phoneFeatures: 0x80,
            maxConferences: 0,
        },
    });
    decodeSccpFrame(reg, ctx);
    t.equal(ctx.phoneProtocolVer, 20);
    t.equal(ctx.deviceName, "SEP001122334455");
    t.equal(ctx.protocolVersion, 20);
    const ack = encodeSccp({
        hv: 0,
        id: 0x81,
        fields: {
            keepAliveInterval: 30,
            dateTemplate: "M/D/YA",
            alignmentPadding: 0,
            secondaryKeepAliveInterval: 60,
            maxProtocolVer: 18,
            unknown: 0,
            phoneFeatures: 0,
        },
    });
    const am = decodeSccpFrame(ack, ctx);
    t.equal(am.fields.dateTemplate, "M/D/YA", "6-byte template without NUL");
    t.equal(ctx.protocolVersion, 18);
    // hv 0 but negotiated 18: a StartMediaTransmission of a V17+ shape decodes as such.
    const smt = encodeSccp({
        hv: 0x12,
        id: 0x8a,
        fields: {
            conferenceId: 1,
            passThroughPartyId: 2,
            ipv4or6: 0,
            "remoteIpAddr.ipv4": "10.1.1.1",
            remotePortNumber: 4000,
            milliSecondPacketSize: 20,
            compressionType: 4,
            precedenceValue: 184,
            ssValue: 0,
            maxFramesPerPacket: 0,
            padding: 0,
        },
    });
    smt[4] = 0; // the CM left hv at 0
    const sm = decodeSccpFrame(smt, ctx);
    t.equal(sm.fields["remoteIpAddr.ipv4"], "10.1.1.1");
    t.equal(sm.raw, undefined, "the V17 shape alone selects the layout, so hv 0 needs no raw");
    t.equal(hex(encodeSccp(sm)), hex(smt));
    const cmOnly = new SccpConnectionContext();
    cmOnly.cmProtocolVer = 6;
    t.equal(cmOnly.protocolVersion, 6);
    ctx.reset();
    t.equal(ctx.protocolVersion, 0);
    t.equal(sccpMessageName(0x8c), "StartMediaReception");
    t.equal(sccpMessageName(0x8101), "SPCPRegisterTokenReject");
    t.equal(sccpMessageName(0x9999), "Unknown");
});
