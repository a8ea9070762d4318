import t from "tap";
import { liveCaptureOptions } from "../../src/cli/captureOptions.js";
import { loadConfig } from "../../src/config/load.js";

t.test("the early capture's options are the configured live capture's, none for a capture file", async (t) => {
    const live = loadConfig({
        env: {},
        overrides: { capture: { interface: "eth9", sccpPorts: [2000], snapLength: 2048 } },
    });
    t.same(liveCaptureOptions(live), {
        interface: "eth9",
        filter: "tcp port 2000 or tcp port 2748",
        snapLength: 2048,
        bufferSizeBytes: live.capture.bufferSizeBytes,
        promiscuous: live.capture.promiscuous,
        retryMs: live.service.connectionRetryTimeoutMs,
    });
    t.equal(liveCaptureOptions(loadConfig({ env: {}, overrides: { capture: { file: "x.pcap" } } })), null);
});
