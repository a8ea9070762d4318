/** The configuration's live capture as the capture layer takes it (the capture layer knows no configuration). */
import type { LiveCaptureOptions } from "../capture/liveCapture.js";
import { captureFilter } from "../config/load.js";
import type { Config } from "../config/types.js";

/** The live capture of `capture.interface` as configured (null when the configuration captures from a file). */
export function liveCaptureOptions(config: Config): LiveCaptureOptions | null {
    if (config.capture.interface === null) return null;
    return {
        interface: config.capture.interface,
        filter: captureFilter(config),
        snapLength: config.capture.snapLength,
        bufferSizeBytes: config.capture.bufferSizeBytes,
        promiscuous: config.capture.promiscuous,
        retryMs: config.service.connectionRetryTimeoutMs,
    };
}
