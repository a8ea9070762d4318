/**
 * Replays a capture file through the real pipeline (capture → wire → reassembly → SCCP/QBE decoders) into a
 * cluster model: what the service does live, minus the network. Used by tests, `replay`-style tools and
 * benchmarks.
 */
import { type CaptureFileStats, readCaptureFile } from "../capture/pcapFile.js";
import type { ClusterModel } from "../cluster/model.js";
import { CtiLinkObserver, type CtiLinkOptions } from "../qbe/link.js";
import type { ReassemblyOptions } from "../wire/reassembly.js";
import type { WireCounters } from "../wire/types.js";
import { ingestPipeline, protocolRoutes } from "./pipeline.js";

/** Options of `replayCapture`. */
export interface ReplayOptions {
    sccpPorts?: readonly number[];
    qbePorts?: readonly number[];
    /** Calls `model.tick` whenever capture time has advanced this much (s, default 1). */
    tickEveryS?: number;
    reassembly?: Partial<ReassemblyOptions>;
    cti?: CtiLinkOptions;
}

/** What a replay saw. */
export interface ReplaySummary {
    capture: CaptureFileStats;
    wire: WireCounters;
    /** Capture time of the first and last frame (s; NaN when the file has none). */
    firstTs: number;
    lastTs: number;
}

/** Replays a pcap/pcapng file into the model (SCCP directly, QBE through a CTI link observer). */
export async function replayCapture(
    path: string,
    model: ClusterModel,
    opts: ReplayOptions = {},
): Promise<ReplaySummary> {
    const cti = new CtiLinkObserver((e) => model.onCtiEvent(e), opts.cti);
    const pipeline = ingestPipeline({
        routes: protocolRoutes(opts.sccpPorts ?? [2000], opts.qbePorts ?? [2748], {
            sccp: { observer: model },
            qbe: { observer: cti },
        }),
        ...(opts.reassembly !== undefined ? { reassembly: opts.reassembly } : {}),
    });
    const every = opts.tickEveryS ?? 1;
    let firstTs = Number.NaN;
    let nextTick = Number.NEGATIVE_INFINITY;
    const capture = await readCaptureFile(path, (frame) => {
        if (Number.isNaN(firstTs)) firstTs = frame.ts;
        pipeline.onFrame(frame);
        if (frame.ts >= nextTick) {
            model.tick(frame.ts);
            cti.tick(frame.ts * 1000);
            nextTick = frame.ts + every;
        }
    });
    pipeline.finish();
    const lastTs = Number.isNaN(firstTs) ? Number.NaN : pipeline.lastTs;
    if (!Number.isNaN(lastTs)) {
        model.tick(lastTs);
        cti.tick(lastTs * 1000);
    }
    return { capture, wire: { ...pipeline.counters }, firstTs, lastTs };
}
