/**
 * Per-TCP-connection SCCP state shared by both directions: the protocol version learned from
 * RegisterReq (phone's maximum) and RegisterAck (CM's maximum), used to break layout ties when a
 * message carries header version 0, plus decode counters.
 */

/** Decode counters of one connection (or of any caller that passes the same context). */
export interface SccpDecodeStats {
    /** Messages decoded. */
    messages: number;
    /** Bodies shorter than every layout of their id (decoded partially). */
    truncated: number;
    /** Bodies with bytes the layout does not explain (garbage after NULs, unknown tails); raw kept. */
    irregular: number;
    /** Messages whose id has no layout (name + raw body). */
    opaque: number;
}

/** Negotiated-version memory and counters for one SCCP connection. */
export class SccpConnectionContext {
    /** protocolVer from the phone's RegisterReq (its maximum), -1 until seen. */
    phoneProtocolVer = -1;
    /** maxProtocolVer from the CM's RegisterAck, -1 until seen. */
    cmProtocolVer = -1;
    /** Device name from RegisterReq, "" until seen. */
    deviceName = "";
    /** Decode counters. */
    readonly stats: SccpDecodeStats = { messages: 0, truncated: 0, irregular: 0, opaque: 0 };

    /** Negotiated protocol version: the lower of both maxima when known, else the one known, else 0. */
    get protocolVersion(): number {
        const p = this.phoneProtocolVer;
        const c = this.cmProtocolVer;
        if (p >= 0 && c >= 0) return Math.min(p, c);
        if (p >= 0) return p;
        return Math.max(c, 0);
    }

    /** Forgets what registration taught (call on a new registration attempt or connection reuse). */
    reset(): void {
        this.phoneProtocolVer = -1;
        this.cmProtocolVer = -1;
        this.deviceName = "";
    }
}
