/**
 * The service's ingest on a real capture: frames reach the cluster model (events out), the capture clock
 * follows the frames, the model's own deadlines are looked at once a second of capture time.
 */
import t from "tap";
import { readCaptureFile } from "../../src/capture/pcapFile.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { loadConfig } from "../../src/config/load.js";
import { ServiceIngest } from "../../src/service/ingest.js";

const CAPTURE = new URL("../fixtures/captures/pyskinny_cm_cap.pcapng", import.meta.url).pathname;

function rig(capture: boolean) {
    const config = loadConfig({ env: {}, overrides: { log: { level: "silent" } } });
    const events: ClusterEvent[] = [];
    const alarms: string[] = [];
    const ingest = new ServiceIngest({
        config,
        capture,
        onEvent: (e) => events.push(e),
        alarm: (id, action) => alarms.push(`${action} ${id}`),
    });
    return { ingest, events, alarms };
}

t.test("capture time: frames move the clock and feed the model", async (t) => {
    const r = rig(true);
    let last = 0;
    await readCaptureFile(CAPTURE, (frame) => {
        last = Math.max(last, frame.ts * 1000);
        r.ingest.onFrame(frame);
    });
    t.equal(r.ingest.captureMs, last, "the time of the latest frame");
    t.ok(
        r.events.some((e) => e.type === "DeviceRegistered"),
        "the model saw the registration",
    );
    t.ok(r.ingest.model.stats().devices > 0);
    t.ok(r.ingest.pipeline.counters.frames > 0);
    t.equal(r.ingest.checkDue(last), true, "the first check");
    t.equal(r.ingest.checkDue(last + 999), false, "not again within the second");
    t.equal(r.ingest.checkDue(last + 1000), true);
    r.ingest.tick(last + 3_600_000);
    t.same(r.alarms, []);
});

t.test("live: the frames do not move the clock", async (t) => {
    const r = rig(false);
    await readCaptureFile(CAPTURE, (frame) => r.ingest.onFrame(frame));
    t.equal(r.ingest.captureMs, 0);
    t.ok(r.events.length > 0);
});
