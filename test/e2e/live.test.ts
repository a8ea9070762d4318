/**
 * The same feature with the service capturing the office live on lo through libpcap and the whole
 * pipeline, on the wall clock (needs root or CAP_NET_RAW, and the pcap addon).
 */
import t from "tap";
import { needLiveCapture } from "../helpers/live.js";
import { needTool } from "../helpers/tools.js";
import { startOffice } from "./helpers.js";

const skip = needLiveCapture() || needTool("xmllint", "libxml2-utils");

t.test("busy, CallBack, hang up, notification: captured live on lo", { skip }, async (t) => {
    const { MemoryFlashFs } = await import("../../src/store/flashFs.js");
    const o = await startOffice(
        [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        { callback: { guardTimeMs: 300 } },
        new MemoryFlashFs(),
        true,
    );
    t.teardown(() => o.stop());
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(
        () => o.screenTexts("1003").some((s) => s.startsWith("Call Back is activated on 1002")),
        "the activated screen",
    );
    await o.branch.hangUp("1003");
    await o.branch.hangUp("1002");
    await o.until(
        () => o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
        "the notification",
    );
    t.same(o.xsi.get(o.branch.phone("1003").ip)?.sounds, ["CallBack.raw"]);
    t.ok(o.service.pipeline.counters.tcp > 0, "frames came through libpcap");
    t.equal(o.service.pipeline.reassembler.stats.gaps, 0, "without gaps");
});
