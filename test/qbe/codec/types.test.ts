/** The codec's shapes and header constants, as the framer and the encoder rely on them. */
import t from "tap";
import { CallbackdError } from "../../../src/errors.js";
import { encodeQbe } from "../../../src/qbe/codec/encode.js";
import { QBE_HEADER_SIZE, QBE_MAGIC, QBE_VERSION, QbeEncodeError } from "../../../src/qbe/codec/types.js";

t.test("a header is 32 bytes with the 0xFFFFDDDD magic and version 0x00110000", async (t) => {
    t.equal(QBE_HEADER_SIZE, 32);
    t.equal(QBE_MAGIC, 0xffffdddd);
    t.equal(QBE_VERSION, 0x00110000);
});

t.test("the encoder's error is a CallbackdError with a stable code", async (t) => {
    try {
        encodeQbe("NoSuchQbeMessage");
        t.fail("no error");
    } catch (err) {
        t.ok(err instanceof QbeEncodeError);
        t.ok(err instanceof CallbackdError);
        t.equal((err as QbeEncodeError).code, "QBE_ENCODE_UNKNOWN");
    }
});
