/** The codec's shapes and limits, as the framer and the encoder rely on them. */
import t from "tap";
import { CallbackdError } from "../../../src/errors.js";
import { encodeSccp } from "../../../src/sccp/codec/encode.js";
import { SCCP_HEADER_SIZE, SCCP_MAX_LENGTH, SccpEncodeError, type SccpMessage } from "../../../src/sccp/codec/types.js";

t.test("a header is 12 bytes; the length word stays within the maximum", async (t) => {
    t.equal(SCCP_HEADER_SIZE, 12);
    t.ok(SCCP_MAX_LENGTH >= 4096);
    const msg: SccpMessage = { hv: 0, id: 0x0000, name: "KeepAliveReq", fields: {} };
    t.equal(encodeSccp(msg).length, SCCP_HEADER_SIZE);
});

t.test("the encoder's error is a CallbackdError with a stable code", async (t) => {
    try {
        encodeSccp({ hv: 0, id: 0x7777, fields: { body: "x" } });
        t.fail("no error");
    } catch (err) {
        t.ok(err instanceof SccpEncodeError);
        t.ok(err instanceof CallbackdError);
        t.equal((err as SccpEncodeError).code, "SCCP_ENCODE_INVALID");
    }
});
