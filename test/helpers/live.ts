import type { FrameSink } from "../../src/capture/frame.js";
import { LiveCapture, type LiveCaptureEvents, type LiveCaptureOptions } from "../../src/capture/liveCapture.js";
import { loadPcapAddon } from "../../src/capture/pcapChild.js";
import { needCapturePrivilege } from "./tools.js";
import { HANG_MS, waitFor } from "./wait.js";

/** Skip reason for tests that capture live (privilege and the pcap addon), or false. */
export function needLiveCapture(): string | false {
    return (
        needCapturePrivilege() ||
        ("error" in loadPcapAddon() ? "needs the pcap addon: install libpcap-dev and run npm ci" : false)
    );
}

/** Polls `cond` every 20 ms until it holds, or throws naming `what` after the suite's hang deadline. */
export function until(cond: () => boolean, what: string): Promise<void> {
    return waitFor(cond, what, HANG_MS, 20);
}

/** The options of a live capture on `lo` of one TCP port (quick retries and statistics, for tests). */
export function loopbackCaptureOptions(port: number): LiveCaptureOptions {
    return {
        interface: "lo",
        filter: `tcp port ${port}`,
        snapLength: 65535,
        bufferSizeBytes: 4 << 20,
        promiscuous: false,
        retryMs: 500,
        statsIntervalMs: 100,
    };
}

/** A live capture on `lo` for one TCP port, started and open; stop it in a teardown. */
export async function captureLoopback(port: number, sink: FrameSink, events: LiveCaptureEvents = {}) {
    const cap = new LiveCapture(loopbackCaptureOptions(port), sink, events);
    cap.start();
    await until(() => cap.stats().state === "open", "the capture to open");
    return cap;
}
