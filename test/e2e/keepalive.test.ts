/**
 * Regression: replaying in capture time, the cluster model's own deadlines (a phone's keepalive timeout)
 * still fire although the service looks at them only once a second of capture time (it used to walk every
 * device after every event, which cost O(phones) per frame in a large office).
 */
import t from "tap";
import { needTool } from "../helpers/tools.js";
import { startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

t.test("a phone whose keepalives stop is unregistered by the keepalive timeout", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    const name = o.branch.phone("1003").deviceName;
    t.equal(o.service.model.device(name)?.registration, "registered");
    // Power cut on the phone: no unregistration, no TCP close; the others' keepalives move capture time on.
    o.branch.phone("1003").powerOff({ silent: true });
    const start = o.clock.now();
    while (!o.seen.some((e) => e.type === "DeviceUnregistered" && e.device === name)) {
        if (o.clock.now() - start > 400_000) break;
        await o.branch.advance(2000);
    }
    const e = o.seen.find((x) => x.type === "DeviceUnregistered" && x.device === name);
    t.ok(e, "unregistered by the model's keepalive timeout");
    t.ok(o.clock.now() - start >= 60_000, "not before keepalives were missed");
});
