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

    onOpen(_conn: TcpConnection): void {
        // The decoder is made with the first bytes (or at the close): a flood of half-open connections holds
        // no decoders.
    }

    /** The connection's decoder, made on first use (null: no route claims it). */
    #decoder(conn: TcpConnection): ProtocolStreamDecoder | null {
        const d = conn.userData as ProtocolStreamDecoder | null | undefined;
        if (d !== undefined) return d;
        const factory =
            this.#byPort.get(conn.server.port) ?? this.#byPort.get(conn.client.port) ?? this.#fallback ?? null;
        let made: ProtocolStreamDecoder | null = null;
        if (factory !== null) {
            const names = [Conn.format(conn.client), Conn.format(conn.server)] as const;
            made = factory({ conn, names, emit: this.#emit });
        }
        conn.userData = made;
        return made;
    }

    onData(conn: TcpConnection, dir: Direction, bytes: Uint8Array, ts: number): void {
        this.#decoder(conn)?.data(dir, bytes, ts);
    }

    onGap(conn: TcpConnection, dir: Direction, missedBytes: number, ts: number, reason: GapReason): void {
        this.#decoder(conn)?.gap(dir, missedBytes, ts, reason);
    }

    onClose(conn: TcpConnection, reason: CloseReason, ts: number): void {
        // A connection that never carried data still tells something when it ends (a SYN refused by RST).
        this.#decoder(conn)?.close(ts, reason);
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
