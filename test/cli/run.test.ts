import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { loadPcapAddon } from "../../src/capture/pcapChild.js";
import { runService } from "../../src/cli/run.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging, resetLogging } from "../../src/logging/logger.js";
import { createMemoryDestination } from "../../src/logging/memory.js";
import { needCapturePrivilege } from "../helpers/tools.js";
import { waitFor } from "../helpers/wait.js";

const io = { out: new PassThrough(), err: new PassThrough(), env: {} };
const skip =
    needCapturePrivilege() ||
    ("error" in loadPcapAddon() ? "needs the pcap addon: install libpcap-dev and run npm ci" : false);

t.test("run captures live until asked to stop, logging what it does", { skip }, async (t) => {
    const dest = createMemoryDestination();
    const dir = mkdtempSync(join(tmpdir(), "callbackd-run-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig({
        env: {},
        overrides: {
            capture: { interface: "lo", sccpPorts: [2999] },
            state: { dir },
            http: { listen: "127.0.0.1:0" },
            console: { tcpEnabled: false },
        },
    });
    const ac = new AbortController();
    configureLogging({ destination: dest });
    t.teardown(resetLogging);
    const done = runService(config, io, ac.signal);
    await waitFor(() => dest.lines.some((l) => l.includes("capture open")), "the capture to open");
    ac.abort();
    t.equal(await done, 0);
    const text = dest.lines.join("\n");
    t.match(text, /callbackd starting \(live capture\)/);
    t.match(text, /"filter":"tcp port 2999 or tcp port 2748"/);
    t.match(text, /capture open/);
    t.match(text, /callbackd stopped/);
});
