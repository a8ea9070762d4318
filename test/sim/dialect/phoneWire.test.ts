/** What a phone sends: registration for each generation and the keys, all encodable. */
import t from "tap";
import { PhoneWire } from "../../../src/sim/dialect/phoneWire.js";
import { codecSession } from "../helpers/wire.js";

const REG = {
    deviceName: "SEP001E4A000001",
    ip: "10.0.0.1",
    deviceType: 7,
    protocolVer: 6,
    dynamic: false,
    mac: "001E4A000001",
    firmware: "P00308000500",
    lines: 2,
};

t.test("registration: RegisterReq with the device's identity; V20 phones ask for dynamic messages", async (t) => {
    const { session, got } = codecSession();
    const w = new PhoneWire(session, "cm4");
    w.alarm("Name=SEP001E4A000001");
    w.registerReq(REG);
    w.ipPort(16384);
    w.capabilities();
    w.lineStatReq(1);
    w.availableLines(2);
    t.same(
        got.map((m) => m.name),
        ["Alarm", "RegisterReq", "IpPort", "CapabilitiesRes", "LineStatReq", "RegisterAvailableLines"],
    );
    t.match(got[1]?.fields, { deviceName: "SEP001E4A000001", stationIpAddr: "10.0.0.1", protocolVer: 6 });
    const v = codecSession();
    new PhoneWire(v.session, "v20").registerReq({ ...REG, protocolVer: 20, dynamic: true });
    t.ok(((v.got[0]?.fields.phoneFeatures as number) & 0x0080) !== 0, "the dynamic-messages feature bit");
});

t.test("keys: hook, keypad, enbloc, softkeys and feature buttons with line and call", async (t) => {
    const { session, got } = codecSession();
    const w = new PhoneWire(session, "cm4");
    w.offHook(1, 0);
    w.keypad(5, 1, 7);
    w.enbloc("1002", 1);
    w.softKeyEvent(20, 1, 7);
    w.stimulus(9, 2, 0);
    w.onHook(1, 7);
    t.same(
        got.map((m) => m.name),
        ["OffHook", "KeypadButton", "EnblocCall", "SoftKeyEvent", "Stimulus", "OnHook"],
    );
    t.match(got[1]?.fields, { kpButton: 5, callReference: 7 });
    t.match(got[2]?.fields, { calledParty: "1002" });
    t.match(got[3]?.fields, { softKeyEvent: 20, lineInstance: 1, callReference: 7 });
});
