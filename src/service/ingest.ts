/**
 * The service's ingest: captured frames → wire → SCCP/QBE → the cluster model (and the CTI link observer),
 * with the reassembly-pressure alarm beside it. Keeps the capture clock when replaying, and the model's own
 * deadlines (keepalive time-outs, knowledge expiry). Cluster events leave through `onEvent`.
 */
import type { CapturedFrame } from "../capture/frame.js";
import { ClusterModel } from "../cluster/model.js";
import type { ClusterEvent } from "../cluster/types.js";
import { qbePorts } from "../config/load.js";
import type { Config } from "../config/types.js";
import { ingestPipeline, protocolRoutes } from "../ingest/pipeline.js";
import { PRESSURE_ALARM, ReassemblyPressure } from "../protocol/pressure.js";
import { CtiLinkObserver } from "../qbe/link.js";
import type { WirePipeline } from "../wire/pipeline.js";

/** How often (capture time, ms) the cluster model's deadlines are checked when replaying. */
const MODEL_CHECK_MS = 1000;

export interface ServiceIngestOptions {
    config: Config;
    /** Capture time: the engine's clock is the time of the last frame. */
    capture: boolean;
    onEvent: (e: ClusterEvent) => void;
    alarm: (id: string, action: "raise" | "clear", details: string) => void;
}

export class ServiceIngest {
    readonly model: ClusterModel;
    readonly cti: CtiLinkObserver;
    readonly pipeline: WirePipeline;
    /** Drives the capture.reassembly-pressure alarm from the reassembly counters and decoder resyncs. */
    readonly pressure: ReassemblyPressure;
    readonly #capture: boolean;
    /** Engine time of the last frame (capture mode). */
    #captureMs = 0;
    /** Capture time (ms) at which the model's own deadlines are looked at next. */
    #modelCheckMs = 0;

    constructor(o: ServiceIngestOptions) {
        const { config } = o;
        this.#capture = o.capture;
        this.model = new ClusterModel({
            onEvent: o.onEvent,
            staticDirectory: config.directory,
            knowledgeMaxAgeDays: config.cluster.knowledgeMaxAgeDays,
        });
        this.cti = new CtiLinkObserver((e) => this.model.onCtiEvent(e), {
            heartbeatIntervalS: config.cti.heartbeatIntervalS,
            providerOpenTimeoutMs: config.cti.providerOpenTimeoutMs,
        });
        const ports = [...config.capture.sccpPorts, ...qbePorts(config)];
        this.pipeline = ingestPipeline({
            routes: protocolRoutes(config.capture.sccpPorts, qbePorts(config), {
                // the model is the only reader: no record object per message
                sccp: { observer: this.model, records: false },
                qbe: { observer: this.cti },
            }),
            emit: (r) => this.pressure.onRecord(r),
            reassembly: { ...config.reassembly, serverPorts: ports },
        });
        this.pressure = new ReassemblyPressure(
            () => this.pipeline.reassembler.stats,
            (action, details) => o.alarm(PRESSURE_ALARM, action, details),
        );
    }

    /** Engine time of the last frame, ms (capture mode; 0 before the first). */
    get captureMs(): number {
        return this.#captureMs;
    }

    /** One captured frame through the whole ingest (capture mode: it moves the clock first). */
    onFrame(frame: CapturedFrame): void {
        if (this.#capture) {
            const ms = frame.ts * 1000;
            if (ms > this.#captureMs) this.#captureMs = ms;
        }
        this.pipeline.onFrame(frame);
    }

    /** Time-outs when no frame arrives (live), or at the end of a capture. */
    tick(now: number): void {
        const nowS = now / 1000;
        this.pipeline.tick(nowS);
        this.cti.tick(now);
        this.model.tick(nowS);
        this.pressure.check(now);
    }

    /**
     * Capture time, after a frame: the model's deadlines (keepalive timeouts: tens of seconds) are looked at
     * once a second, as nextDeadline() walks every device, too slow to run on every event of a large cluster.
     * Returns whether it looked (then the service's own slow checks are due too).
     */
    checkDue(now: number): boolean {
        if (now < this.#modelCheckMs) return false;
        this.#modelCheckMs = now + MODEL_CHECK_MS;
        this.pressure.check(now);
        const due = this.model.nextDeadline();
        const nowS = now / 1000;
        if ((due !== null && nowS >= due) || nowS >= this.model.nextKnowledgeCheck) this.model.tick(nowS);
        return true;
    }
}
