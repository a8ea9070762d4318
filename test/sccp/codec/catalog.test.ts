/** The message catalogue: names, known ids and body bounds from the layouts. */
import t from "tap";
import {
    hasSccpLayout,
    isKnownSccpId,
    messageOf,
    sccpMaxBody,
    sccpMessageName,
    sccpMinBody,
} from "../../../src/sccp/codec/catalog.js";
import { SCCP_MAX_LENGTH } from "../../../src/sccp/codec/types.js";

t.test("ids are named as Wireshark names them; unknown ids read Unknown", async (t) => {
    t.equal(sccpMessageName(0x0001), "RegisterReq");
    t.equal(sccpMessageName(0x0081), "RegisterAck");
    t.ok(isKnownSccpId(0x0000));
    t.equal(sccpMessageName(0x7777), "Unknown");
    t.notOk(isKnownSccpId(0x7777));
});

t.test("layouts are compiled once, on first use; body bounds come from them", async (t) => {
    const m = messageOf(0x0111); // CallState
    t.ok(m !== undefined);
    t.equal(messageOf(0x0111), m, "the same compiled record the second time");
    t.ok(hasSccpLayout(0x0111));
    t.ok(sccpMinBody(0x0111) > 0);
    t.ok(sccpMaxBody(0x0111) >= sccpMinBody(0x0111));
    t.equal(messageOf(0x7777), undefined);
    t.equal(sccpMinBody(0x7777), 0);
    t.equal(sccpMaxBody(0x7777), SCCP_MAX_LENGTH - 4, "unknown ids may be as long as a frame allows");
});
