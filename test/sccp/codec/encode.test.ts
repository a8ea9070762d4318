/** Encoding: canonical layouts, byte-exact raw bodies while the fields match, errors for misfits. */
import t from "tap";
import { decodeSccpFrame } from "../../../src/sccp/codec/decode.js";
import { encodeSccp, sameSccpFields } from "../../../src/sccp/codec/encode.js";
import { SCCP_ID } from "../../../src/sccp/tables/messages.js";

t.test("the frame header carries length, version and id, little-endian", async (t) => {
    const f = encodeSccp({ hv: 0x14, id: 0x0100, fields: {} });
    t.same([...f], [4, 0, 0, 0, 0x14, 0, 0, 0, 0, 1, 0, 0]);
});

t.test("a raw body is re-emitted byte for byte until a field changes", async (t) => {
    const clean = encodeSccp({
        hv: 0,
        id: SCCP_ID.SpeedDialStatRes,
        fields: { speedDialNumber: 1, speedDialDirNumber: "1002", speedDialDisplayName: "Bob" },
    });
    const dirty = clean.slice();
    dirty[12 + 4 + 5] = 0x5a; // garbage after "1002\0"
    const m = decodeSccpFrame(dirty);
    t.ok(m.raw !== undefined);
    t.same([...encodeSccp(m)], [...dirty], "byte-exact");
    const edited = { ...m, fields: { ...m.fields, speedDialDisplayName: "Carol" } };
    const again = decodeSccpFrame(encodeSccp(edited));
    t.equal(again.fields.speedDialDisplayName, "Carol");
    t.equal(again.raw, undefined, "an edited message is written clean");
});

t.test("an id without layout takes its body as hex; fields that fit nothing are refused", async (t) => {
    t.same([...encodeSccp({ hv: 0, id: 0x7777, fields: { body: "0a0b" } }).subarray(12)], [10, 11]);
    t.throws(() => encodeSccp({ hv: 0, id: 0x7777, fields: { body: "0a0" } }), { code: "SCCP_ENCODE_INVALID" });
    t.throws(() => encodeSccp({ hv: 0, id: 0x0111, fields: { callState: "x" } }), { code: "SCCP_ENCODE_INVALID" });
});

t.test("field records compare deeply", async (t) => {
    t.ok(sameSccpFields({ a: [1, 2], b: [{ c: "x" }] }, { a: [1, 2], b: [{ c: "x" }] }));
    t.notOk(sameSccpFields({ a: [1, 2] }, { a: [1, 3] }));
    t.notOk(sameSccpFields({ a: 1 }, { a: 1, b: 2 }));
});
