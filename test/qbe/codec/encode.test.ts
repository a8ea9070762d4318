/** Encoding on its own: byte-exact with the fixtures, defaults for missing fields, raw frames. */
import t from "tap";
import { decodeQbeFrame } from "../../../src/qbe/codec/decode.js";
import { encodeQbe, encodeQbeRaw } from "../../../src/qbe/codec/encode.js";
import { QBE_HEADER_SIZE } from "../../../src/qbe/codec/types.js";
import { loadFixtures } from "../helpers.js";

t.test("a fixture's fields encode back to its bytes", async (t) => {
    const fx = loadFixtures().find((f) => f.roundTrip !== "differs" && !f.name.includes("terminated"));
    if (fx === undefined) throw new Error("no plain fixture");
    const again = encodeQbe(fx.messageId, fx.fields, fx.class.endsWith("Request") ? {} : { ustring: "terminated" });
    t.equal(Buffer.from(again).toString("hex"), Buffer.from(fx.bytes).toString("hex"), fx.name);
});

t.test("missing fields take their defaults and decode back", async (t) => {
    const fx = loadFixtures()[0];
    if (fx === undefined) throw new Error("no fixtures");
    const frame = encodeQbe(fx.messageId);
    const msg = decodeQbeFrame(frame);
    t.equal(msg.id, fx.messageId);
    t.ok(msg.known);
});

t.test("a raw frame carries any id and its parts as given", async (t) => {
    const frame = encodeQbeRaw(0xabcdef, Uint8Array.of(1, 2), Uint8Array.of(3));
    t.equal(frame.length, QBE_HEADER_SIZE + 3);
    t.same([...frame.subarray(QBE_HEADER_SIZE)], [1, 2, 3]);
});
