import type { ProtocolRoute, ProtocolStreamDecoder, StreamContext } from "../protocol/dispatcher.js";
import type { ProtocolRecord } from "../protocol/records.js";
import type { CloseReason } from "../wire/reassembly.js";
import { decodeSccpBodyAt, type SccpMessage, sccpGapRecord, sccpMessageName, sccpResyncRecord } from "./codec.js";
import { SccpConnectionContext } from "./context.js";
import { SccpFramer, type SccpFrameSink } from "./framer.js";

/** Receives every decoded SCCP message with its connection and direction (the cluster model). */
export interface SccpMessageObserver {
    onSccpMessage(ctx: StreamContext, dir: 0 | 1, msg: SccpMessage, ts: number): void;
    onSccpGap?(ctx: StreamContext, dir: 0 | 1, missedBytes: number, ts: number): void;
    /** The connection ended; `reason` tells a real disconnect from the end of a capture file. */
    onSccpClose?(ctx: StreamContext, ts: number, reason: CloseReason): void;
}

export interface SccpStreamOptions {
    /**
     * false: name messages without decoding their fields (counting, `decode --summary`); records then
     * carry `fields: {}`. Default true.
     */
    decodeFields?: boolean;
    /** Sees each decoded message (implies decoding fields). */
    observer?: SccpMessageObserver;
    /**
     * false: no record per message (the observer is all that reads them: the service), saving an object per
     * message; gaps and resyncs are still recorded. Default true.
     */
    records?: boolean;
}

/**
 * One SCCP connection: a framer per direction, one protocol context (negotiated version) for both, and a
 * record per message, gap and resync. Frames that straddle TCP segments are copied by the framer; the
 * rest are decoded straight from the reassembled views.
 */
export function sccpStreamDecoder(ctx: StreamContext, opts: SccpStreamOptions = {}): ProtocolStreamDecoder {
    const { conn, names, emit } = ctx;
    const observer = opts.observer;
    const decodeFields = opts.decodeFields !== false || observer !== undefined;
    const records = opts.records !== false;
    const proto = new SccpConnectionContext();
    // A connection joined mid-stream starts at an arbitrary byte: hunt for a header first.
    const framers = [new SccpFramer({ synced: !conn.midstream }), new SccpFramer({ synced: !conn.midstream })];
    let ts = 0;
    const sinks = ([0, 1] as const).map((dir): SccpFrameSink => {
        const src = names[dir];
        const dst = names[1 - dir]!;
        return {
            onMessage(hv, id, buf, start, end) {
                if (!decodeFields) {
                    emit({ t: ts, proto: "sccp", src, dst, hv, id, name: sccpMessageName(id), fields: {} });
                    return;
                }
                const msg = decodeSccpBodyAt(id, hv, buf, start, end, proto, false);
                if (records) {
                    const record: ProtocolRecord = {
                        t: ts,
                        proto: "sccp",
                        src,
                        dst,
                        hv: msg.hv,
                        id: msg.id,
                        name: msg.name,
                        fields: msg.fields,
                    };
                    emit(record);
                }
                observer?.onSccpMessage(ctx, dir, msg, ts);
            },
            onResync(skippedBytes) {
                emit({ t: ts, proto: "sccp", src, dst, ...sccpResyncRecord(skippedBytes) });
            },
        };
    });
    return {
        data(dir, bytes, t) {
            ts = t;
            framers[dir]!.push(bytes, sinks[dir]!);
        },
        gap(dir, missedBytes, t) {
            ts = t;
            const discarded = framers[dir]!.gap(missedBytes);
            emit({ t, proto: "sccp", src: names[dir], dst: names[1 - dir]!, ...sccpGapRecord(missedBytes, discarded) });
            observer?.onSccpGap?.(ctx, dir, missedBytes, t);
        },
        close(t, reason) {
            ts = t;
            for (const dir of [0, 1] as const) {
                const left = framers[dir]!.end(sinks[dir]);
                if (left > 0) {
                    emit({ t, proto: "sccp", src: names[dir], dst: names[1 - dir]!, ...sccpGapRecord(0, left) });
                }
            }
            observer?.onSccpClose?.(ctx, t, reason);
        },
    };
}

/** Route for the dispatcher: SCCP on the given server ports (2000 by default). */
export function sccpRoute(ports: readonly number[] = [2000], opts: SccpStreamOptions = {}): ProtocolRoute {
    return { ports, factory: (ctx) => sccpStreamDecoder(ctx, opts) };
}
