import t from "tap";
import { i32le, u16le, u32be, u32le } from "../../src/util/bytes.js";

t.test("integer reads agree with DataView", async (t) => {
    const b = Uint8Array.from([0xfe, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x84]);
    const dv = new DataView(b.buffer);
    for (let o = 0; o <= 4; o++) {
        t.equal(u32le(b, o), dv.getUint32(o, true));
        t.equal(i32le(b, o), dv.getInt32(o, true));
        t.equal(u32be(b, o), dv.getUint32(o, false));
        t.equal(u16le(b, o), dv.getUint16(o, true));
    }
});
