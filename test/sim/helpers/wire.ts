/**
 * A session stand-in for the wire builders of src/sim/dialect: each message is encoded and decoded by the
 * project's SCCP codec (so a record that fits no layout fails the test) and kept as the phone would see it.
 */
import { decodeSccpFrame, encodeSccp, type SccpMessage } from "../../../src/sccp/codec.js";
import type { SccpSession } from "../../../src/sim/session.js";

export function codecSession(): { session: SccpSession; got: SccpMessage[] } {
    const got: SccpMessage[] = [];
    const session = {
        send(id: number, fields: SccpMessage["fields"], hv: number) {
            got.push(decodeSccpFrame(encodeSccp({ hv, id, fields })));
        },
    } as unknown as SccpSession;
    return { session, got };
}
