import type { SccpMessage } from "../../../src/sccp/codec.js";

/** Known Wireshark disagreements: (id, predicate) -> reason; fields of these messages are not compared. */
export const KNOWN: { id: number; when: (m: SccpMessage) => boolean; reason: string }[] = [
    {
        id: 0x008a,
        when: (m) => m.hv === 0 && "remoteIpAddr.ipv4" in m.fields && !("conferenceId" in m.fields),
        reason: "CallManager 2.x StartMediaTransmission (36-byte body, address first; section 1.3): WS reads the CM 4.x layout",
    },
];
