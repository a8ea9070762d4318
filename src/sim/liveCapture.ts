/**
 * Captures the simulator's real traffic on a live interface (lo) into a pcap file: LiveCapture (libpcap
 * in a child process) feeding a PcapFileWriter. Needs root or CAP_NET_RAW and the optional pcap addon.
 */
import { LiveCapture } from "../capture/liveCapture.js";
import { PcapFileWriter } from "../capture/pcapWriter.js";
import { SimError } from "./errors.js";

/** Options of a live capture into a file. */
export interface LiveCaptureFileOptions {
    /** Default "lo". */
    interface?: string;
    /** BPF filter, e.g. "tcp port 2000". */
    filter: string;
    snapLength?: number;
    /** Kernel capture buffer. Default 32 MiB. */
    bufferSizeBytes?: number;
    /** How long `start` waits for the capture to open. Default 30 s (a busy machine starts the child slowly). */
    openTimeoutMs?: number;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new SimError("SIM_CAPTURE_TIMEOUT", `timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/** A live capture written to a pcap file. */
export class LiveCaptureFile {
    readonly #capture: LiveCapture;
    readonly #openTimeoutMs: number;
    #writer: PcapFileWriter | null = null;
    #frames = 0;

    constructor(
        readonly path: string,
        options: LiveCaptureFileOptions,
    ) {
        const snap = options.snapLength ?? 65535;
        this.#openTimeoutMs = options.openTimeoutMs ?? 30_000;
        this.#capture = new LiveCapture(
            {
                interface: options.interface ?? "lo",
                filter: options.filter,
                snapLength: snap,
                bufferSizeBytes: options.bufferSizeBytes ?? 32 << 20,
                promiscuous: false,
                retryMs: 500,
                statsIntervalMs: 100,
            },
            (frame) => {
                // The link type is only known with the first frame (lo is Ethernet on Linux).
                if (this.#writer === null) this.#writer = new PcapFileWriter(path, frame.linkType, snap);
                this.#writer.write(frame.ts, frame.bytes, frame.origLen);
                this.#frames++;
            },
        );
    }

    /** Frames written so far. */
    get frames(): number {
        return this.#frames;
    }

    /** Starts capturing; resolves once libpcap has the interface open. */
    async start(): Promise<void> {
        this.#capture.start();
        await until(() => this.#capture.stats().state === "open", this.#openTimeoutMs, "the capture to open");
    }

    /**
     * Waits until no frame arrived for `quietMs` (libpcap delivers in batches), then stops and closes the
     * file. Returns the number of frames written. Rejects when libpcap reports drops.
     */
    async stop(quietMs = 300): Promise<number> {
        let last = -1;
        let since = Date.now();
        const end = Date.now() + 10_000;
        while (Date.now() < end) {
            if (this.#frames !== last) {
                last = this.#frames;
                since = Date.now();
            } else if (Date.now() - since >= quietMs) break;
            await new Promise((r) => setTimeout(r, 20));
        }
        const stats = this.#capture.stats();
        this.#capture.stop();
        if (this.#writer === null) this.#writer = new PcapFileWriter(this.path);
        this.#writer.close();
        if (stats.dropped > 0 || stats.ifDropped > 0) {
            throw new SimError("SIM_CAPTURE_DROPS", `libpcap dropped ${stats.dropped + stats.ifDropped} packets`, {
                dropped: stats.dropped,
                ifDropped: stats.ifDropped,
            });
        }
        return this.#frames;
    }
}
