/** Decoding on its own: header words, the strict one-frame decode and its typed errors, the cut-off rule. */
import t from "tap";
import { DecodeError } from "../../../src/errors.js";
import { decodeQbe, decodeQbeFrame, readQbeHeader } from "../../../src/qbe/codec/decode.js";
import { encodeQbeRaw } from "../../../src/qbe/codec/encode.js";
import { QBE_HEADER_SIZE, QBE_MAGIC } from "../../../src/qbe/codec/types.js";
import { loadFixtures } from "../helpers.js";

t.test("the header words of a frame", async (t) => {
    const h = readQbeHeader(encodeQbeRaw(0x1234, new Uint8Array(8), new Uint8Array(4)));
    t.match(h, { magic: QBE_MAGIC, messageId: 0x1234, headerSize: QBE_HEADER_SIZE, fixedSize: 8, varSize: 4 });
    t.equal(h.length, QBE_HEADER_SIZE + 12 - 8, "the length word counts the frame less 8 bytes");
});

t.test("a fixture decodes the same through decodeQbe at an offset and decodeQbeFrame", async (t) => {
    const fx = loadFixtures()[0];
    if (fx === undefined) throw new Error("no fixtures");
    const padded = new Uint8Array(fx.bytes.length + 7);
    padded.set(fx.bytes, 7);
    t.strictSame(decodeQbe(padded, 7, padded.length), decodeQbeFrame(fx.bytes));
});

t.test("decodeQbeFrame: typed errors for what is not one frame", async (t) => {
    t.throws(() => decodeQbeFrame(new Uint8Array(10)), DecodeError);
    const bad = encodeQbeRaw(1);
    bad[8] = 0;
    t.throws(() => decodeQbeFrame(bad), { code: "QBE_BAD_MAGIC" });
    t.throws(() => decodeQbeFrame(encodeQbeRaw(1, new Uint8Array(4)).subarray(0, 34)), { code: "QBE_BAD_SIZE" });
});

t.test("a descriptor outside the frame gives a problem note, never a read past it", async (t) => {
    const fx = loadFixtures().find((f) => readQbeHeader(f.bytes).varSize > 0);
    if (fx === undefined) throw new Error("no fixture with a variable part");
    const h = readQbeHeader(fx.bytes);
    // Cut the variable part off: its descriptors now point beyond the end of the frame.
    const cut = decodeQbe(fx.bytes, 0, h.headerSize + h.fixedSize);
    t.equal(cut.size, h.headerSize + h.fixedSize);
    t.ok((cut.problems?.length ?? 0) > 0, `${fx.name}: ${cut.problems?.join("; ")}`);
});
