/**
 * What both ends of a simulated SCCP link share: field readers for decoded messages, the header version of
 * each generation, and the data records CallInfo, ForwardStatRes and media messages carry.
 */
import type { SccpFields } from "../../sccp/index.js";
import type { SimGeneration } from "../types.js";

/** A numeric field of a decoded message, 0 when absent. */
export function num(f: SccpFields, k: string): number {
    const v = f[k];
    return typeof v === "number" ? v : 0;
}

/** A text field of a decoded message, "" when absent. */
export function text(f: SccpFields, k: string): string {
    const v = f[k];
    return typeof v === "string" ? v : "";
}

/** Header version a generation stamps on call-control messages. */
export function headerVersionOf(gen: SimGeneration): number {
    return gen === "v20" ? 0x14 : 0;
}

/** Numbers and names of one call leg, as CallInfo carries them. */
export interface CallInfoData {
    callingPartyName: string;
    callingParty: string;
    calledPartyName: string;
    calledParty: string;
    lineInstance: number;
    callReference: number;
    /** 1 inbound, 2 outbound, 3 forward. */
    callType: number;
    originalCalledPartyName: string;
    originalCalledParty: string;
    lastRedirectingPartyName: string;
    lastRedirectingParty: string;
    /** Q.931 redirect reasons: 0 none, 1 busy, 2 no answer, 15 forward all. */
    originalCdpnRedirectReason: number;
    lastRedirectingReason: number;
    callInstance: number;
    callSecurityStatus: number;
}

/** Fields of one ForwardStatRes. */
export interface ForwardData {
    all: string;
    busy: string;
    noAnswer: string;
}

/** Media parameters of one call leg. */
export interface MediaData {
    conferenceId: number;
    passThroughPartyId: number;
    callReference: number;
    remoteIp: string;
    remotePort: number;
}
