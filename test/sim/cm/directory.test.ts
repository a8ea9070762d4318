/** Provisioning: devices, shared numbers, prefixes for digit analysis, forwarding changes. */
import t from "tap";
import { addDevice, dnRecord, setForward } from "../../../src/sim/cm/directory.js";
import { calls, testCm } from "../helpers/cm.js";

t.test("a number on two devices is one record with two appearances; later settings merge", async (t) => {
    const { s } = testCm({ callBackEvent: 33 });
    addDevice(s, { deviceName: "SEPA", lines: ["1001", { dn: "1002", name: "Desk" }] });
    addDevice(s, { deviceName: "SEPB", lines: [{ dn: "1002", busyTrigger: 2, forward: { busy: "1001" } }] });
    const rec = dnRecord(s, "1002");
    t.equal(rec.name, "Desk");
    t.equal(rec.busyTrigger, 2);
    t.same(rec.forward, { all: "", busy: "1001", noAnswer: "" });
    t.same(
        rec.apps.map((a) => [a.device.name, a.line]),
        [
            ["SEPA", 2],
            ["SEPB", 1],
        ],
    );
    t.equal(dnRecord(s, "1001").name, "Line 1001");
    t.same([...s.prefixes].sort(), ["1", "10", "100"]);
    const a = s.devices.get("SEPA");
    t.equal(a?.callBackKey, true);
    t.equal(a?.timeZone, "UTC");
    t.ok(
        a?.template.some((k) => k.event === 33),
        "the template carries the configured CallBack event",
    );
});

t.test("provisioning twice and unknown numbers are errors", async (t) => {
    const { s } = testCm();
    addDevice(s, { deviceName: "SEPA", lines: ["1001"] });
    t.throws(() => addDevice(s, { deviceName: "SEPA", lines: [] }), { code: "SIM_DUPLICATE_DEVICE" });
    t.throws(() => dnRecord(s, "2000"), { code: "SIM_UNKNOWN_DN" });
});

t.test("a forwarding change reaches registered appearances, not 2.x-era ones", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1001"] }, "cm2");
    addDevice(cm.s, { deviceName: "SEPC", lines: ["1001"] });
    setForward(cm.s, "1001", { all: "1009" });
    t.equal(dnRecord(cm.s, "1001").forward.all, "1009");
    t.same(calls(cm, "SEPA"), ["forwardStat"]);
    t.same(calls(cm, "SEPB"), []);
});
