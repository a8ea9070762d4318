import {
    type CloseReason,
    type Direction,
    type GapReason,
    type StreamConsumer,
    TcpConnection,
} from "../../src/wire/reassembly.js";
import { TcpFlag, type TcpSegment } from "../../src/wire/types.js";

/** Builds a TcpSegment for tests. */
export function seg(
    p: Omit<Partial<TcpSegment>, "payload"> & { seq: number; payload?: Uint8Array | string; flags?: number },
): TcpSegment {
    const payload =
        typeof p.payload === "string" ? new TextEncoder().encode(p.payload) : (p.payload ?? new Uint8Array(0));
    return {
        ts: p.ts ?? 1000,
        ipVersion: p.ipVersion ?? 4,
        srcAddr: p.srcAddr ?? "10.0.0.1",
        dstAddr: p.dstAddr ?? "10.0.0.2",
        srcPort: p.srcPort ?? 50000,
        dstPort: p.dstPort ?? 2000,
        seq: p.seq >>> 0,
        ack: p.ack ?? 0,
        flags: p.flags ?? TcpFlag.ACK,
        window: p.window ?? 65535,
        options: p.options ?? {},
        payload,
    };
}

/** The reverse direction of a segment template. */
export function reverse(s: TcpSegment): Pick<TcpSegment, "srcAddr" | "dstAddr" | "srcPort" | "dstPort"> {
    return { srcAddr: s.dstAddr, dstAddr: s.srcAddr, srcPort: s.dstPort, dstPort: s.srcPort };
}

export type RecordedEvent =
    | { kind: "open"; conn: number; client: string; server: string; midstream: boolean }
    | { kind: "data"; conn: number; dir: Direction; bytes: string }
    | { kind: "gap"; conn: number; dir: Direction; missed: number; reason: GapReason }
    | { kind: "close"; conn: number; reason: CloseReason };

/** A StreamConsumer that records everything, copying the bytes it is given. */
export class RecordingConsumer implements StreamConsumer {
    readonly events: RecordedEvent[] = [];
    readonly streams = new Map<string, number[]>();

    onOpen(conn: TcpConnection): void {
        this.events.push({
            kind: "open",
            conn: conn.id,
            client: TcpConnection.format(conn.client),
            server: TcpConnection.format(conn.server),
            midstream: conn.midstream,
        });
    }
    onData(conn: TcpConnection, dir: Direction, bytes: Uint8Array): void {
        this.events.push({ kind: "data", conn: conn.id, dir, bytes: Buffer.from(bytes).toString("latin1") });
        const key = `${conn.id}:${dir}`;
        let s = this.streams.get(key);
        if (s === undefined) {
            s = [];
            this.streams.set(key, s);
        }
        for (const b of bytes) s.push(b);
    }
    onGap(conn: TcpConnection, dir: Direction, missed: number, _ts: number, reason: GapReason): void {
        this.events.push({ kind: "gap", conn: conn.id, dir, missed, reason });
        const key = `${conn.id}:${dir}`;
        let s = this.streams.get(key);
        if (s === undefined) {
            s = [];
            this.streams.set(key, s);
        }
        for (let i = 0; i < missed; i++) s.push(-1);
    }
    onClose(conn: TcpConnection, reason: CloseReason): void {
        this.events.push({ kind: "close", conn: conn.id, reason });
    }

    /** The stream of one direction as text, gaps as "?". */
    text(conn: number, dir: Direction): string {
        const s = this.streams.get(`${conn}:${dir}`) ?? [];
        return s.map((b) => (b < 0 ? "?" : String.fromCharCode(b))).join("");
    }
}
