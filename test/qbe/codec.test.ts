import t from "tap";
import { DecodeError } from "../../src/errors.js";
import {
    decodeQbe,
    decodeQbeFrame,
    encodeQbe,
    encodeQbeRaw,
    QBE_HEADER_SIZE,
    QbeEncodeError,
    type QbeFields,
    type QbeInputFields,
    type QbeValue,
    readQbeHeader,
} from "../../src/qbe/codec.js";
import {
    type QbeStructDef,
    qbeEnumName,
    qbeMessageConstant,
    qbeMessageDef,
    qbeMessageDefs,
    qbeMessageId,
    qbeMessageName,
    qbeStructDef,
    SLOT_SIZE,
    W,
} from "../../src/qbe/schema.js";
import { concat, fixture, get32, loadFixtures, put32 } from "./helpers.js";

/** Fixtures whose UnicodeStrings follow the other side's convention. */
const USTRING_STYLE: Record<string, "plain" | "terminated"> = { ProviderOpenRequest_terminatedLogin: "terminated" };

t.test("every fixture decodes to exactly its .json values and encodes back to exactly its bytes", async (t) => {
    const all = loadFixtures();
    t.equal(all.length, 57, "57 synthetic fixtures");
    for (const fx of all) {
        const msg = decodeQbeFrame(fx.bytes);
        t.equal(msg.id, fx.messageId, `${fx.name}: id`);
        t.equal(msg.name, fx.class, `${fx.name}: name`);
        t.ok(msg.known, `${fx.name}: known`);
        t.equal(msg.problems, undefined, `${fx.name}: no problems`);
        t.strictSame(msg.fields, fx.fields, `${fx.name}: fields`);
        const style = USTRING_STYLE[fx.name];
        const enc = encodeQbe(fx.messageId, fx.fields, style === undefined ? {} : { ustring: style });
        t.equal(Buffer.from(enc).toString("hex"), Buffer.from(fx.bytes).toString("hex"), `${fx.name}: bytes`);
    }
});

t.test("where the jar's own reader fails or differs, we decode the full values", async (t) => {
    // ProviderOpenRequest: the client-style UnicodeString (count = characters, no terminator) loses its last
    // character in the jar ("jtapiuse"); we read min(byteSize/2, count) units and keep it.
    const por = fixture("ProviderOpenRequest");
    t.equal(por.roundTrip, "differs");
    const m = decodeQbeFrame(por.bytes);
    t.equal(m.fields.login, "jtapiuser");
    t.equal(por.fieldsAsDecodedByJar?.login, "jtapiuse");
    t.strictSame({ ...m.fields, login: "jtapiuse" }, por.fieldsAsDecodedByJar, "only login differs from the jar");
    // ProviderInitRequest: the class has no public constructor, so the jar cannot decode it at all.
    const init = fixture("ProviderInitRequest");
    t.match(init.roundTrip, /decode failed/);
    t.strictSame(decodeQbeFrame(init.bytes).fields, init.fields);
    t.equal(
        decodeQbeFrame(init.bytes).fields.qbeClientVerion,
        init.fields.qbeClientVerion,
        "field name as the jar spells it",
    );
    // ClientCallHandle (inline) and ClientCallHandle[]: the jar has no reader for them.
    const cdt = decodeQbeFrame(fixture("CallDirectTransferRequest_callHandle").bytes);
    t.strictSame(cdt.fields.otherCallHandle, fixture("CallDirectTransferRequest_callHandle").fields.otherCallHandle);
    t.match(cdt.fields.otherCallHandle, { callManagerID: Number, callLegID: Number });
    const join = decodeQbeFrame(fixture("CallJoinRequest_callHandleArray").bytes);
    t.ok(Array.isArray(join.fields.otherCalls) && (join.fields.otherCalls as QbeValue[]).length > 0);
    t.strictSame(join.fields, fixture("CallJoinRequest_callHandleArray").fields);
});

t.test("compiled schema agrees with each fixture's listed layout", async (t) => {
    for (const fx of loadFixtures()) {
        const def = qbeMessageDef(fx.messageId);
        if (def === undefined) {
            t.fail(`no def for ${fx.name}`);
            continue;
        }
        t.equal(def.fixedSize, fx.header.fixedSize, `${fx.name}: fixed size`);
        let off = QBE_HEADER_SIZE;
        const ours = def.fields.map((f) => {
            const row = { name: f.name, type: f.wire, frameOffset: off, size: SLOT_SIZE[f.type] };
            off += SLOT_SIZE[f.type] as number;
            return row;
        });
        t.strictSame(ours, fx.schema, `${fx.name}: fields, types, offsets`);
    }
    t.equal(qbeMessageDefs().length, 291);
    t.equal(qbeMessageName(281), "CallStateChangedEvent_V2");
    t.equal(qbeMessageName(85), "CALL_STATE_CHANGED_EVENT", "no class: the constant");
    t.equal(qbeMessageName(1), undefined);
    t.equal(qbeMessageConstant(120), "HEARTBEAT");
    t.equal(qbeMessageId("Heartbeat"), 120);
    t.equal(qbeEnumName("CALLSTATE", 8), "CONNECTED");
    t.equal(qbeEnumName("CTIFAILURE", -1932787616), "DIRECTORY_LOGIN_FAILED");
    t.equal(qbeEnumName("NOPE", 1), undefined);
    t.equal(qbeStructDef("SIPUrl")?.fixedSize, 28);
});

/** Deterministic sample values for every field of an element type. */
function sample(def: QbeStructDef, seed: number, depth = 0): QbeFields {
    const out: QbeFields = {};
    let i = seed;
    for (const f of def.fields) {
        i++;
        switch (f.type) {
            case W.int32:
                out[f.name] = (i * 2654435761) | 0;
                break;
            case W.bool32:
                out[f.name] = i % 2 === 0;
                break;
            case W.string:
                out[f.name] = i % 5 === 0 ? null : i % 7 === 0 ? "" : `s${i}-é`;
                break;
            case W.ustring:
                out[f.name] = i % 5 === 0 ? null : `u${i} 中文`;
                break;
            case W.bytes:
                out[f.name] = i % 3 === 0 ? null : { hex: `00ff${(i & 0xff).toString(16).padStart(2, "0")}` };
                break;
            case W.callhandle:
                out[f.name] = { callManagerID: i, callLegID: -i };
                break;
            case W.element:
                out[f.name] = i % 4 === 0 || depth > 6 ? null : sample(f.element as QbeStructDef, i * 3, depth + 1);
                break;
            case W.elementArray:
                out[f.name] =
                    i % 4 === 0 || depth > 6
                        ? null
                        : [
                              sample(f.element as QbeStructDef, i, depth + 1),
                              sample(f.element as QbeStructDef, i + 9, depth + 1),
                          ];
                break;
            case W.int32Array:
                out[f.name] = i % 4 === 0 ? null : [i, -i, 0x7fffffff];
                break;
            case W.callhandleArray:
                out[f.name] = i % 4 === 0 ? null : [{ callManagerID: 1, callLegID: i }];
                break;
        }
    }
    return out;
}

t.test("every message of the schema round-trips (all wire types, both UnicodeString conventions)", async (t) => {
    let n = 0;
    for (const def of qbeMessageDefs()) {
        for (const ustring of ["plain", "terminated"] as const) {
            const fields = sample(def, def.id);
            const bytes = encodeQbe(def.id, fields, { ustring });
            const msg = decodeQbeFrame(bytes);
            if (msg.problems !== undefined || JSON.stringify(msg.fields) !== JSON.stringify(fields)) {
                t.strictSame(msg.fields, fields, `${def.name} (${ustring})`);
                t.equal(msg.problems, undefined);
            }
            n++;
        }
    }
    t.equal(n, 2 * 291);
});

t.test("UnicodeString conventions: client plain, server terminated, empty and null", async (t) => {
    const plain = encodeQbe("ProviderOpenRequest", { login: "ab" });
    const term = encodeQbe("ProviderOpenRequest", { login: "ab" }, { ustring: "terminated" });
    // login slot at frame offset 52: offset, byteSize, count, elemSize
    t.strictSame([get32(plain, 56), get32(plain, 60), get32(plain, 64)], [4, 2, 2]);
    t.strictSame([get32(term, 56), get32(term, 60), get32(term, 64)], [6, 3, 2]);
    t.equal(decodeQbeFrame(plain).fields.login, "ab");
    t.equal(decodeQbeFrame(term).fields.login, "ab");
    // Server-style empty string: count 1, one U+0000.
    const empty = encodeQbe("ProviderOpenCompletedEvent", { loginUserName: "" });
    t.equal(decodeQbeFrame(empty).fields.loginUserName, "");
    // Client-style empty string has byteSize 0, which reads as null (as the jar reads it).
    t.equal(decodeQbeFrame(encodeQbe("ProviderOpenRequest", { login: "" })).fields.login, null);
    t.equal(decodeQbeFrame(encodeQbe("ProviderOpenRequest", { login: null })).fields.login, null);
    // byteSize larger than count (terminated) and count larger than byteSize/2: the smaller wins.
    const odd = new Uint8Array(term);
    put32(odd, 64, 99);
    t.equal(decodeQbeFrame(odd).fields.login, "ab");
});

t.test("single-byte strings: ASCII, UTF-8 when valid, else Latin-1; cut at the first NUL", async (t) => {
    const latin = encodeQbe("FailureResponse", { description: "café" });
    t.equal(latin[latin.length - 2], 0xe9, "encoded as the low 8 bits, like the jar");
    t.equal(decodeQbeFrame(latin).fields.description, "café");
    const utf8 = Buffer.from("Zoë 中", "utf8");
    const frame = encodeQbeRaw(
        0,
        concat([new Uint8Array(8), fixedDesc(48, utf8.length + 1)]),
        concat([utf8, new Uint8Array(1)]),
    );
    t.equal(decodeQbeFrame(frame).fields.description, "Zoë 中");
    const long = "x".repeat(300);
    t.equal(decodeQbeFrame(encodeQbe("FailureResponse", { description: long })).fields.description, long);
    const longLatin = "é".repeat(100);
    t.equal(decodeQbeFrame(encodeQbe("FailureResponse", { description: longLatin })).fields.description, longLatin);
    // Bad UTF-8 sequences fall back to Latin-1.
    for (const bad of [
        [0xc3],
        [0xe2, 0x28, 0xa1],
        [0xf8, 0x80],
        [0xe0, 0x80, 0x80],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
    ]) {
        const b = Uint8Array.from([...bad, 0x41, 0]);
        const f = encodeQbeRaw(0, concat([new Uint8Array(8), fixedDesc(48, b.length)]), b);
        t.equal(decodeQbeFrame(f).fields.description, String.fromCharCode(...bad, 0x41));
    }
    // Long UTF-16 text takes the TextDecoder path.
    const longU = "中".repeat(40);
    t.equal(
        decodeQbeFrame(encodeQbe("ProviderOpenCompletedEvent", { loginUserName: longU })).fields.loginUserName,
        longU,
    );
    // Text after an embedded NUL is dropped.
    const nul = Uint8Array.from([0x61, 0, 0x62, 0]);
    t.equal(
        decodeQbeFrame(encodeQbeRaw(0, concat([new Uint8Array(8), fixedDesc(48, 4)]), nul)).fields.description,
        "a",
    );
});

/** An 8-byte (offset, size) descriptor. */
function fixedDesc(off: number, size: number): Uint8Array {
    const b = new Uint8Array(8);
    put32(b, 0, off);
    put32(b, 4, size);
    return b;
}

t.test("bytes: hex always, ascii only when printable", async (t) => {
    const m = decodeQbeFrame(encodeQbe("DeviceDataPassThroughRequest", { deviceDataObj: { hex: "3c613e0a" } }));
    t.strictSame(m.fields.deviceDataObj, { hex: "3c613e0a", ascii: "<a>\n" });
    const m2 = decodeQbeFrame(encodeQbe("DeviceDataPassThroughRequest", { deviceDataObj: Uint8Array.from([1, 2]) }));
    t.strictSame(m2.fields.deviceDataObj, { hex: "0102" });
    t.equal(
        decodeQbeFrame(encodeQbe("DeviceDataPassThroughRequest", { deviceDataObj: { hex: "" } })).fields.deviceDataObj,
        null,
    );
});

t.test("bool32: -1 from the jar, 1 accepted, any non-zero is true", async (t) => {
    const b = encodeQbe("CallPresentEvent", { bPresentable: true });
    t.equal(get32(b, 48), 0xffffffff);
    for (const v of [1, 2]) {
        const c = new Uint8Array(b);
        put32(c, 48, v);
        t.equal(decodeQbeFrame(c).fields.bPresentable, true);
    }
    t.equal(decodeQbeFrame(encodeQbe("CallPresentEvent", { bPresentable: 0 })).fields.bPresentable, false);
});

t.test("§3.4: a shorter fixed part leaves the remaining fields absent, a longer one is ignored", async (t) => {
    const fx = fixture("CallStateChangedEvent_V2_connected");
    // Shorter: only the first 6 int32 (24 bytes) belong to the fixed part; the rest of the bytes count as variable.
    const short = new Uint8Array(fx.bytes);
    put32(short, 24, 24);
    put32(short, 28, fx.header.varSize + 72);
    const s = decodeQbeFrame(short);
    t.strictSame(Object.keys(s.fields), [
        "lineCallManagerID",
        "lineID",
        "callCallManagerID",
        "callLegID",
        "state",
        "cause",
    ]);
    t.equal(s.fields.state, 8);
    // A fixed size that cuts a slot in two: the cut field is absent and noted.
    const cut = new Uint8Array(fx.bytes);
    put32(cut, 24, 62);
    put32(cut, 28, fx.header.varSize + 34);
    const c = decodeQbeFrame(cut);
    t.equal(c.fields.bIsConsultSetupByRollover, false);
    t.notOk("bCallClearedByHuntList" in c.fields);
    t.match(c.problems, [/bCallClearedByHuntList: slot cut/]);
    // Longer: a future version appends 8 bytes to FailureResponse's 16-byte fixed part.
    const base = encodeQbe("FailureResponse", { sequenceNumber: 7, result: 3, description: "hi" });
    const fixed = concat([base.subarray(32, 48), Uint8Array.from([9, 9, 9, 9, 8, 8, 8, 8])]);
    put32(fixed, 8, 56);
    const long = encodeQbeRaw(0, fixed, base.subarray(48));
    t.strictSame(decodeQbeFrame(long).fields, { sequenceNumber: 7, result: 3, description: "hi" });
    // Nested elements follow their own descriptor's fixedSize the same way.
    const lis = fixture("LineInServiceEvent");
    const nested = new Uint8Array(lis.bytes);
    put32(nested, 48, 8); // defaultIntercomInfo fixedSize 36 -> 8 (number only)
    t.strictSame(decodeQbeFrame(nested).fields.defaultIntercomInfo, { number: "" });
});

t.test("follows absolute offsets whatever the order of the variable part", async (t) => {
    for (const name of ["ProviderOpenRequest", "DeviceOpenRequest", "LineOpenRequest", "ProviderInitRequest"]) {
        const fx = fixture(name);
        const def = qbeMessageDef(fx.messageId)!;
        const frame = fx.bytes;
        const moved: Uint8Array[] = [];
        const out = new Uint8Array(frame);
        let cursor = frame.length + 3; // 3 garbage bytes first
        let pos = QBE_HEADER_SIZE;
        const relocate: number[] = [];
        for (const f of def.fields) {
            // Move the data of strings, UnicodeStrings, byte arrays and flat elements (filters hold no offsets).
            if ([W.string, W.ustring, W.bytes, W.element].includes(f.type as 2) && get32(frame, pos + 4) > 0) {
                relocate.push(pos);
            }
            pos += SLOT_SIZE[f.type] as number;
        }
        for (const slot of relocate.reverse()) {
            const off = get32(frame, slot);
            const size = get32(frame, slot + 4);
            const data = frame.slice(off, off + size);
            out.fill(0xaa, off, off + size); // the old copy becomes garbage
            put32(out, slot, cursor);
            moved.push(data);
            cursor += size;
        }
        const shuffled = concat([out, Uint8Array.from([0xee, 0xee, 0xee]), ...moved]);
        put32(shuffled, 0, shuffled.length - 8);
        put32(shuffled, 28, shuffled.length - QBE_HEADER_SIZE - fx.header.fixedSize);
        t.ok(relocate.length >= 2, `${name}: moved ${relocate.length} fields`);
        t.strictSame(decodeQbeFrame(shuffled).fields, fx.fields, name);
    }
});

t.test("headerSize 36: the fixed part starts after the longer header", async (t) => {
    const fx = fixture("DeviceOpenResponse");
    const f = concat([fx.bytes.subarray(0, 32), Uint8Array.from([1, 2, 3, 4]), fx.bytes.subarray(32)]);
    put32(f, 20, 36);
    put32(f, 0, f.length - 8);
    t.strictSame(decodeQbeFrame(f).fields, fx.fields);
});

t.test("never reads outside the frame: bad descriptors give null and a problem note", async (t) => {
    const fx = fixture("DeviceRegisteredEventWithLineInfo");
    const cases: [string, number, number, RegExp][] = [
        ["deviceName offset", 32, 0xfffffff0, /deviceName: data/],
        ["deviceName size", 36, 0x7fffffff, /deviceName: data/],
        ["lineInfo count", 84, 0x10000000, /lineInfo: data/],
        ["lineInfo elemSize 0", 88, 0, /lineInfo: data/],
        ["deviceInfoDynamic offset", 52, 0xffffff00, /deviceInfoDynamic: data/],
    ];
    for (const [what, at, v, re] of cases) {
        const b = new Uint8Array(fx.bytes);
        put32(b, at, v);
        const m = decodeQbeFrame(b);
        t.match(m.problems, [re], what);
    }
    // int32[] with the wrong element size, and out of range.
    const dtmf = fixture("CallPlayDtmfRequest_intArray").bytes;
    const e1 = new Uint8Array(dtmf);
    put32(e1, 64, 8);
    t.match(decodeQbeFrame(e1).problems, [/dtmfDigits: element size 8/]);
    const e2 = new Uint8Array(dtmf);
    put32(e2, 60, 1000);
    t.match(decodeQbeFrame(e2).problems, [/dtmfDigits: data/]);
    // UnicodeString and byte array pointing past the end.
    const por = new Uint8Array(fixture("ProviderOpenRequest").bytes);
    put32(por, 52, por.length - 2);
    put32(por, 68, por.length);
    const pm = decodeQbeFrame(por);
    t.equal(pm.fields.login, null);
    t.equal(pm.fields.password, null);
    t.equal(pm.problems?.length, 2);
    // headerSize beyond the frame (lenient decode of a slice whose header lies).
    const hb = new Uint8Array(fixture("DeviceOpenResponse").bytes);
    put32(hb, 20, 1000);
    const hm = decodeQbe(hb, 0, hb.length);
    t.strictSame(hm.fields, {});
    t.match(hm.problems, [/headerSize 1000/]);
    // A fixed part that claims more than the frame: slots are cut at the frame end.
    const fb = new Uint8Array(fixture("DeviceOpenResponse").bytes);
    put32(fb, 24, 1000);
    const fm = decodeQbe(fb, 0, fb.length);
    t.equal(fm.fields.deviceID, 0x1234);
    t.equal(fm.problems, undefined, "all four fields fit");
});

t.test("decode budget bounds the work of overlapping offsets", async (t) => {
    // An element array whose 4-byte elements all point at one big string: each element costs its size.
    const def = qbeStructDef("CtiCallForwardInformation")!;
    t.equal(def.fixedSize, 12);
    const count = 2000;
    const str = new Uint8Array(4000).fill(0x41);
    str[str.length - 1] = 0;
    // LineSetForwardRequest (121): find the FwdDestnInfo slot.
    const m = qbeMessageDef(121)!;
    let slot = 0;
    for (const f of m.fields) {
        if (f.name === "FwdDestnInfo") break;
        slot += SLOT_SIZE[f.type] as number;
    }
    const fixed = new Uint8Array(m.fixedSize);
    const elemsAt = QBE_HEADER_SIZE + m.fixedSize;
    const strAt = elemsAt + count * 12;
    put32(fixed, slot, elemsAt);
    put32(fixed, slot + 4, count * 12);
    put32(fixed, slot + 8, count);
    put32(fixed, slot + 12, 12);
    const elems = new Uint8Array(count * 12);
    for (let i = 0; i < count; i++) {
        put32(elems, i * 12 + 4, strAt);
        put32(elems, i * 12 + 8, str.length);
    }
    const frame = encodeQbeRaw(121, fixed, concat([elems, str]));
    const msg = decodeQbeFrame(frame);
    t.match(msg.problems, [/budget exhausted/]);
    const arr = msg.fields.FwdDestnInfo as QbeFields[];
    t.ok(arr.length < count, `stopped after ${arr.length} elements`);
    t.ok(JSON.stringify(msg.fields).length < 8 * frame.length, "output stays proportional to the frame");
});

t.test("ids without a layout: named from ids.tsv, body shown as hex", async (t) => {
    const known = decodeQbeFrame(encodeQbeRaw(85, new Uint8Array(4), Uint8Array.from([1, 2])));
    t.equal(known.name, "CALL_STATE_CHANGED_EVENT");
    t.notOk(known.known);
    t.strictSame(known.fields, { fixedSize: 4, varSize: 2, hex: "000000000102" });
    const far = decodeQbeFrame(encodeQbeRaw(5000, new Uint8Array(300)));
    t.equal(far.name, "Unknown");
    t.equal((far.fields.hex as string).length, 512);
    t.equal(far.fields.truncated, true);
    const short = decodeQbe(new Uint8Array(10), 0, 10);
    t.equal(short.name, "Malformed");
});

t.test("strict decodeQbeFrame throws typed errors on non-frames", async (t) => {
    const hb = fixture("Heartbeat").bytes;
    t.throws(() => decodeQbeFrame(hb.subarray(0, 20)), { code: "QBE_SHORT_FRAME" });
    const bad = new Uint8Array(hb);
    bad[8] = 0;
    t.throws(() => decodeQbeFrame(bad), { code: "QBE_BAD_MAGIC" });
    t.throws(() => decodeQbeFrame(concat([hb, new Uint8Array(1)])), { code: "QBE_BAD_SIZE" });
    const hs = new Uint8Array(hb);
    put32(hs, 20, 16);
    t.throws(() => decodeQbeFrame(hs), DecodeError);
    t.strictSame(readQbeHeader(hb), {
        length: 24,
        reserved: 0,
        magic: 0xffffdddd,
        version: 0x00110000,
        messageId: 120,
        headerSize: 32,
        fixedSize: 0,
        varSize: 0,
    });
});

t.test("encodeQbe: defaults, header options, typed errors", async (t) => {
    const d = decodeQbeFrame(encodeQbe("NewCallEvent"));
    t.equal(d.fields.state, 0);
    t.equal(d.fields.callingParty, null);
    t.equal(d.fields.bRemoteInUse, false);
    const h = readQbeHeader(encodeQbe(120, {}, { reserved: 5, version: 7 }));
    t.equal(h.reserved, 5);
    t.equal(h.version, 7);
    t.equal(get32(encodeQbe("FailureResponse", { result: 0x8ccc001a }), 36), 0x8ccc001a, "uint32 accepted");
    t.equal(get32(encodeQbe("FailureResponse", { result: true as unknown as number }), 36), 0xffffffff);
    const bad: [string | number, QbeInputFields, RegExp][] = [
        [1, {}, /no QBE layout/],
        ["Nope", {}, /no QBE layout/],
        ["FailureResponse", { result: "x" }, /result: must be an int32/],
        ["FailureResponse", { result: 1.5 }, /result/],
        ["FailureResponse", { result: 2 ** 32 }, /result/],
        ["FailureResponse", { description: 5 }, /description: must be a string/],
        ["CallPresentEvent", { bPresentable: "yes" }, /must be a boolean/],
        ["ProviderOpenRequest", { login: 3 }, /login: must be a string/],
        ["ProviderOpenRequest", { password: { hex: "abc" } }, /hex must be/],
        ["ProviderOpenRequest", { password: "zz" }, /must be a Uint8Array/],
        ["ProviderOpenRequest", { filter: [] }, /filter: must be an object/],
        ["CallPlayDtmfRequest", { dtmfDigits: 3 }, /must be an array/],
        ["CallPlayDtmfRequest", { dtmfDigits: ["a"] }, /dtmfDigits\[0\]/],
        ["CallDirectTransferRequest", { otherCallHandle: 5 }, /callManagerID, callLegID/],
        ["CallJoinRequest", { otherCalls: [{ callManagerID: "x" }] }, /otherCalls\[0\]\.callManagerID/],
        ["ExistingCallEvent", { participantsInfo: [5] }, /participantsInfo\[0\]: must be an object/],
    ];
    for (const [id, fields, re] of bad) {
        t.throws(() => encodeQbe(id, fields), QbeEncodeError, String(re));
        try {
            encodeQbe(id, fields);
        } catch (e) {
            t.match((e as Error).message, re);
        }
    }
    // Large values grow the writer's buffer.
    const big = { deviceDataObj: new Uint8Array(5000).fill(0x41) };
    t.equal(decodeQbeFrame(encodeQbe("DeviceDataPassThroughRequest", big)).fields.deviceDataObj !== null, true);
    // Empty arrays are written with their element size and read back as null (size 0), like the jar.
    t.equal(decodeQbeFrame(encodeQbe("CallPlayDtmfRequest", { dtmfDigits: [] })).fields.dtmfDigits, null);
});

t.test("decoding keeps no state between frames: each has its own cursor", async (t) => {
    const por = new Uint8Array(fixture("ProviderOpenRequest").bytes);
    put32(por, 52, por.length - 2);
    const bad = decodeQbe(por, 0, por.length);
    t.equal(bad.problems?.length, 1);
    // A clean frame at an offset in another buffer right after: no problems inherited, offsets its own.
    const clean = fixture("DeviceOpenResponse").bytes;
    const padded = new Uint8Array(7 + clean.length);
    padded.set(clean, 7);
    const ok = decodeQbe(padded, 7, padded.length);
    t.equal(ok.problems, undefined);
    t.equal(ok.fields.deviceID, decodeQbeFrame(clean).fields.deviceID);
    t.equal(bad.problems?.length, 1, "the first frame's notes are its own");
});
