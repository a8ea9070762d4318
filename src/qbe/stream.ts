/**
 * QBE protocol stream decoder for the dispatcher: one framer per direction, the codec, and records in the
 * `callbackd decode` shape `{t, proto: "qbe", src, dst, id, name, fields}`. Gaps and resyncs become their
 * own records ("Gap" / "Resync" with byte counts). An optional observer (the CTI link observer) receives
 * every decoded message.
 */
import type {
    ProtocolDecoderFactory,
    ProtocolRoute,
    ProtocolStreamDecoder,
    StreamContext,
} from "../protocol/dispatcher.js";
import type { CloseReason, Direction, GapReason } from "../wire/reassembly.js";
import { decodeQbe, type QbeFields, type QbeMessage } from "./codec.js";
import { QbeFramer, type QbeFramerOptions, type QbeFrameSink } from "./framer.js";

/** Identifies one CTI session (one TCP connection) to an observer. */
export interface QbeSessionRef {
    /** Unique among open connections: "client>server". */
    readonly key: string;
    /** "ip:port" of the CTI client and of CTIManager. */
    readonly client: string;
    readonly server: string;
}

/** Consumer of decoded messages (e.g. CtiLinkObserver). Times are capture times in milliseconds. */
export interface QbeMessageObserver {
    onQbeMessage(session: QbeSessionRef, dir: Direction, msg: QbeMessage, nowMs: number): void;
    onQbeClose?(session: QbeSessionRef, nowMs: number): void;
}

/** Counters, optionally shared by all QBE connections. */
export interface QbeStreamStats {
    frames: number;
    /** Frames whose id has no layout in this client version. */
    unknown: number;
    /** Frames decoded with problems (descriptors outside the frame, ...). */
    problems: number;
    gaps: number;
    resyncs: number;
    skippedBytes: number;
    discardedBytes: number;
}

/** Creates zeroed counters. */
export function newQbeStreamStats(): QbeStreamStats {
    return { frames: 0, unknown: 0, problems: 0, gaps: 0, resyncs: 0, skippedBytes: 0, discardedBytes: 0 };
}

/** Options of `qbeStreamDecoder`. */
export interface QbeStreamOptions {
    observer?: QbeMessageObserver;
    framer?: QbeFramerOptions;
    stats?: QbeStreamStats;
}

/** Frame sink of one direction; knows its direction so no closure is made per packet. */
class DirSink implements QbeFrameSink {
    readonly #owner: QbeStreamDecoder;

    constructor(
        owner: QbeStreamDecoder,
        readonly dir: Direction,
    ) {
        this.#owner = owner;
    }
    onFrame(buf: Uint8Array, start: number, end: number): void {
        this.#owner.frame(this.dir, decodeQbe(buf, start, end));
    }
    onResync(skippedBytes: number): void {
        this.#owner.resync(this.dir, skippedBytes);
    }
}

class QbeStreamDecoder implements ProtocolStreamDecoder {
    readonly #framers: readonly [QbeFramer, QbeFramer];
    readonly #session: QbeSessionRef;
    readonly #stats: QbeStreamStats;
    /** Capture time of the chunk being pushed (seconds). */
    #ts = 0;

    readonly #ctx: StreamContext;
    readonly #opts: QbeStreamOptions;

    constructor(ctx: StreamContext, opts: QbeStreamOptions) {
        this.#ctx = ctx;
        this.#opts = opts;
        const fo = opts.framer ?? {};
        // A connection joined without its SYN may start mid-frame: hunt for the first header.
        const synced = ctx.conn.midstream !== true;
        this.#framers = [
            new QbeFramer(new DirSink(this, 0), fo, synced),
            new QbeFramer(new DirSink(this, 1), fo, synced),
        ];
        const [client, server] = ctx.names;
        this.#session = { key: `${client}>${server}`, client, server };
        this.#stats = opts.stats ?? newQbeStreamStats();
    }

    data(dir: Direction, bytes: Uint8Array, ts: number): void {
        this.#ts = ts;
        this.#framers[dir].push(bytes);
    }

    gap(dir: Direction, missedBytes: number, ts: number, reason: GapReason): void {
        this.#ts = ts;
        const discardedBytes = this.#framers[dir].gap(missedBytes);
        this.#stats.gaps++;
        this.#stats.discardedBytes += discardedBytes;
        this.#record(dir, "Gap", { missedBytes, discardedBytes, reason });
    }

    close(ts: number, _reason: CloseReason): void {
        this.#ts = ts;
        for (const dir of [0, 1] as const) {
            const { discardedBytes, skippedBytes } = this.#framers[dir].end();
            if (discardedBytes === 0 && skippedBytes === 0) continue;
            this.#stats.discardedBytes += discardedBytes;
            this.#stats.skippedBytes += skippedBytes;
            this.#record(dir, "Gap", { missedBytes: 0, discardedBytes, skippedBytes, reason: "end" });
        }
        this.#opts.observer?.onQbeClose?.(this.#session, ts * 1000);
    }

    frame(dir: Direction, msg: QbeMessage): void {
        const st = this.#stats;
        st.frames++;
        if (!msg.known) st.unknown++;
        let fields: QbeFields = msg.fields;
        if (msg.problems !== undefined) {
            st.problems++;
            fields = { ...fields, _problems: msg.problems };
        }
        const names = this.#ctx.names;
        this.#ctx.emit({
            t: this.#ts,
            proto: "qbe",
            src: names[dir],
            dst: names[1 - dir]!,
            id: msg.id,
            name: msg.name,
            fields,
        });
        this.#opts.observer?.onQbeMessage(this.#session, dir, msg, this.#ts * 1000);
    }

    resync(dir: Direction, skippedBytes: number): void {
        this.#stats.resyncs++;
        this.#stats.skippedBytes += skippedBytes;
        this.#record(dir, "Resync", { skippedBytes });
    }

    #record(dir: Direction, name: string, fields: Record<string, unknown>): void {
        const names = this.#ctx.names;
        this.#ctx.emit({ t: this.#ts, proto: "qbe", src: names[dir], dst: names[1 - dir]!, name, fields });
    }
}

/** Decoder factory for the dispatcher: frames each direction, decodes, emits records via ctx.emit. */
export function qbeStreamDecoder(ctx: StreamContext, opts: QbeStreamOptions = {}): ProtocolStreamDecoder {
    return new QbeStreamDecoder(ctx, opts);
}

/** A dispatcher route for QBE on `ports` (default 2748), with the given options bound. */
export function qbeRoute(ports: readonly number[] = [2748], opts: QbeStreamOptions = {}): ProtocolRoute {
    const factory: ProtocolDecoderFactory = (ctx) => new QbeStreamDecoder(ctx, opts);
    return { ports, factory };
}
