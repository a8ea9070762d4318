/**
 * What the boxes of a site say to each other over MQTT: announcements (JSON, retained, one topic per box,
 * the Will marking it gone) and the replicated state (a one-line JSON header, a newline, then the snapshot
 * payload exactly as written to flash: protobuf format 2). Every message from the broker is checked
 * before use: a malformed one is refused with a typed error and changes nothing.
 */
import { isIP } from "node:net";
import { type Member, RedundancyError, type Role } from "./election.js";

/** A box's announcement. */
export interface Announcement extends Member {
    online: true;
    /** Changes on every start of the process. */
    boot: string;
    /** Sender's wall clock, ms (informative: freshness is judged by the receiver's clock). */
    ts: number;
    /** Where phones reach this box's HTTP service (for a redirect by a standby), or null. */
    url: string | null;
}

/** The Will (or a clean goodbye): the box is gone. */
export interface Departure {
    node: string;
    online: false;
    boot: string;
    ts: number;
    clean: boolean;
}

/** Header of a replicated state. */
export interface StateHeader {
    node: string;
    term: number;
    seq: number;
    ts: number;
    /** Snapshot payload format (2: protobuf). */
    format: number;
}

const MAX_HEADER = 1024;

function bad(what: string): never {
    throw new RedundancyError("REDUNDANCY_BAD_MESSAGE", `redundancy message refused: ${what}`);
}

function field<T>(o: Record<string, unknown>, k: string, ok: (v: unknown) => boolean): T {
    const v = o[k];
    if (!ok(v)) bad(`field ${k}`);
    return v as T;
}

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isId = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 64;

function parseJson(text: string): Record<string, unknown> {
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch {
        bad("not JSON");
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) bad("not an object");
    return v as Record<string, unknown>;
}

/** Serialises an announcement or a departure. */
export function encodeAnnouncement(a: Announcement | Departure): Buffer {
    return Buffer.from(JSON.stringify({ v: 1, ...a }));
}

/** Parses a message of a `members/<node>` topic. */
export function parseAnnouncement(payload: Uint8Array): Announcement | Departure {
    if (payload.length > MAX_HEADER) bad("too long");
    const o = parseJson(Buffer.from(payload).toString("utf8"));
    if (o.v !== 1) bad("unknown version");
    const node = field<string>(o, "node", isId);
    const boot = field<string>(o, "boot", (v) => typeof v === "string" && v.length <= 64);
    const ts = field<number>(o, "ts", isCount);
    if (o.online === false) return { node, online: false, boot, ts, clean: o.clean === true };
    if (o.online !== true) bad("field online");
    return {
        node,
        online: true,
        boot,
        ts,
        address: field<string>(o, "address", (v) => typeof v === "string" && isIP(v) !== 0),
        priority: field<number>(o, "priority", (v) => isCount(v) && (v as number) <= 255),
        role: field<Role>(o, "role", (v) => v === "active" || v === "standby"),
        term: field<number>(o, "term", isCount),
        seq: field<number>(o, "seq", isCount),
        handoverTo: field<string | null>(o, "handoverTo", (v) => v === null || isId(v)),
        url: field<string | null>(o, "url", (v) => v === null || (typeof v === "string" && v.length <= 1024)),
    };
}

/** Header line, newline, snapshot payload. */
export function encodeState(h: StateHeader, payload: Uint8Array): Buffer {
    const head = Buffer.from(`${JSON.stringify(h)}\n`);
    return Buffer.concat([head, payload]);
}

/** Splits a replicated state into its header and payload (a view, not a copy). */
export function decodeState(message: Uint8Array): { header: StateHeader; payload: Uint8Array } {
    const nl = message.subarray(0, MAX_HEADER).indexOf(0x0a);
    if (nl < 0) bad("no header");
    const o = parseJson(Buffer.from(message.subarray(0, nl)).toString("utf8"));
    const header: StateHeader = {
        node: field<string>(o, "node", isId),
        term: field<number>(o, "term", isCount),
        seq: field<number>(o, "seq", isCount),
        ts: field<number>(o, "ts", isCount),
        format: field<number>(o, "format", isCount),
    };
    return { header, payload: message.subarray(nl + 1) };
}
