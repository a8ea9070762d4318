import type { CloseReason, Direction, GapReason, StreamConsumer, TcpConnection } from "../wire/reassembly.js";
import { TcpConnection as Conn } from "../wire/reassembly.js";
import type { RecordSink } from "./records.js";

/** Decodes one direction-aware TCP connection of one protocol. */
export interface ProtocolStreamDecoder {
    data(dir: Direction, bytes: Uint8Array, ts: number): void;
    gap(dir: Direction, missedBytes: number, ts: number, reason: GapReason): void;
    close(ts: number, reason: CloseReason): void;
}

/** Context handed to a decoder factory for one connection. */
export interface StreamContext {
    conn: TcpConnection;
    /** "ip:port" text of [client, server], precomputed once per connection. */
    names: readonly [string, string];
    emit: RecordSink;
}

export type ProtocolDecoderFactory = (ctx: StreamContext) => ProtocolStreamDecoder;

export interface ProtocolRoute {
    /** Server ports that select this protocol. */
    ports: readonly number[];
    factory: ProtocolDecoderFactory;
}

/**
 * Routes each reassembled connection to the protocol decoder chosen by its server port; connections no
 * route claims go to the fallback (raw TCP chunks for `decode`, nothing for the service).
 */
export class ProtocolDispatcher implements StreamConsumer {
    readonly #byPort = new Map<number, ProtocolDecoderFactory>();
    readonly #fallback: ProtocolDecoderFactory | null;
    readonly #emit: RecordSink;

    constructor(routes: readonly ProtocolRoute[], emit: RecordSink, fallback: ProtocolDecoderFactory | null = null) {
        for (const r of routes) for (const p of r.ports) this.#byPort.set(p, r.factory);
        this.#emit = emit;
        this.#fallback = fallback;
    }

    onOpen(conn: TcpConnection): void {
        const factory =
            this.#byPort.get(conn.server.port) ?? this.#byPort.get(conn.client.port) ?? this.#fallback ?? null;
        if (factory === null) return;
        const names = [Conn.format(conn.client), Conn.format(conn.server)] as const;
        conn.userData = factory({ conn, names, emit: this.#emit });
    }

    onData(conn: TcpConnection, dir: Direction, bytes: Uint8Array, ts: number): void {
        (conn.userData as ProtocolStreamDecoder | undefined)?.data(dir, bytes, ts);
    }

    onGap(conn: TcpConnection, dir: Direction, missedBytes: number, ts: number, reason: GapReason): void {
        (conn.userData as ProtocolStreamDecoder | undefined)?.gap(dir, missedBytes, ts, reason);
    }

    onClose(conn: TcpConnection, reason: CloseReason, ts: number): void {
        (conn.userData as ProtocolStreamDecoder | undefined)?.close(ts, reason);
        conn.userData = undefined;
    }
}

/** Fallback decoder: reports each in-order chunk of a TCP stream, and its gaps. */
export function rawTcpDecoder(ctx: StreamContext): ProtocolStreamDecoder {
    const { names, emit } = ctx;
    return {
        data(dir, bytes, ts) {
            emit({
                t: ts,
                proto: "tcp",
                src: names[dir]!,
                dst: names[1 - dir]!,
                name: "Data",
                fields: {
                    len: bytes.length,
                    hex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex"),
                },
            });
        },
        gap(dir, missedBytes, ts, reason) {
            emit({
                t: ts,
                proto: "tcp",
                src: names[dir]!,
                dst: names[1 - dir]!,
                name: "Gap",
                fields: { missedBytes, reason },
            });
        },
        close() {},
    };
}
