/** Devices: registration, links to CallManagers, keepalive loss, re-registration, failover, bounds. */
import t from "tap";
import { Harness } from "./helpers.js";

const A = { name: "SEP00112233AA01", ip: "10.1.0.1", dns: ["1001"] };
const B = { name: "SEP00112233AA02", ip: "10.1.0.2", dns: ["1002", "1102"], deviceType: 8 };

t.test("registration: device identity, lines, templates, time, events in order", async (t) => {
    const h = new Harness();
    h.register(A, 100);
    t.strictSame(h.types(), ["CallManagerLinkChanged", "DeviceRegistered", "LineStateChanged"]);
    t.match(h.of("DeviceRegistered")[0], {
        t: 100,
        device: A.name,
        ip: A.ip,
        model: "Cisco IP Phone 7960",
        deviceType: 7,
        cm: "10.0.0.1:2000",
        inferred: false,
    });
    t.same(h.lineChanges(), ["1001:unknown>idle"]);
    const d = h.model.device(A.name)!;
    t.match(d, {
        mac: "00112233AA01",
        registration: "registered",
        keepAliveS: 30,
        secondaryKeepAliveS: 60,
        dateTemplate: "D.M.Y",
        callStateMode: "callstate",
        supportsCallBackSoftkey: true,
        cm: "10.0.0.1:2000",
    });
    t.match(d.softKeys, {
        source: "device",
        callBackEvent: 35,
        callBackInOnHook: true,
        callBackInRingOut: true,
        callBackInConnectedTransfer: false,
    });
    t.match(d.phoneTime, { hour: 14, minute: 5, utcOffsetS: 7200, dateTemplate: "D.M.Y" });
    t.match(h.model.phoneTime(A.name, 100 + 3600 + 61), { hour: 15, minute: 6, second: 1 });
    t.equal(h.model.phoneTime("nobody", 1), null);
    t.equal(h.model.device("nobody"), null);
    t.equal(h.model.deviceByIp("10.9.9.9"), null);
    t.same(h.model.softKeyChecklist(), []);
});

t.test("a phone without CallBack in its sets is on the checklist; 7940 model and two lines", async (t) => {
    const h = new Harness();
    h.register({ ...B, callBack: false }, 5);
    t.same(h.model.softKeyChecklist(), [
        { device: B.name, name: B.name, model: "Cisco IP Phone 7940", onHook: false, ringOut: false },
    ]);
    t.same(
        h.model.device(B.name)!.lines.map((l) => [l.instance, l.dn]),
        [
            [1, "1002"],
            [2, "1102"],
        ],
    );
    t.same(h.lineChanges().sort(), ["1002:unknown>idle", "1102:unknown>idle"]);
    t.same(h.model.allDns(), ["1002", "1102"]);
});

t.test("unregister: UnregisterReq/Ack takes the device and its DNs away", async (t) => {
    const h = new Harness();
    const l = h.register(A, 10);
    h.clear();
    l.up(20, "UnregisterReq", {});
    t.same(h.types(), []);
    l.down(20, "UnregisterAck", { status: 0 });
    t.strictSame(h.types(), ["DeviceUnregistered", "CallManagerLinkChanged", "LineStateChanged"]);
    t.match(h.of("DeviceUnregistered")[0], { device: A.name, reason: "unregister" });
    t.match(h.of("CallManagerLinkChanged")[0], { role: "primary", from: "up", to: "down", reason: "unregister" });
    t.same(h.lineChanges(), ["1001:idle>unknown"]);
    t.match(h.model.device(A.name), { registration: "unregistered", unregisteredReason: "unregister", cm: null });
    // The DN is still known (the line map is kept), its state is not.
    t.match(h.model.dn("1001"), { known: true, state: "unknown", stateSource: null });
    // A NAK does not unregister.
    const h2 = new Harness();
    const l2 = h2.register(A, 10);
    l2.down(11, "UnregisterAck", { status: 2 });
    t.equal(h2.model.device(A.name)!.registration, "registered");
});

t.test("re-registration: TCP close, then a new connection registers again", async (t) => {
    const h = new Harness();
    const l1 = h.register(A, 10);
    h.clear();
    l1.close(50, "fin");
    t.strictSame(h.types(), ["DeviceUnregistered", "CallManagerLinkChanged", "LineStateChanged"]);
    t.match(h.of("DeviceUnregistered")[0], { reason: "connection-closed" });
    h.clear();
    h.register(A, 60);
    t.strictSame(h.types(), ["CallManagerLinkChanged", "DeviceRegistered", "LineStateChanged"]);
    t.match(h.of("CallManagerLinkChanged")[0], { roleFrom: "primary", role: "primary", from: "down", to: "up" });
    t.same(h.lineChanges(), ["1001:unknown>idle"]);
    const d = h.model.device(A.name)!;
    t.equal(d.links.length, 1);
    t.match(d.links[0], { attempts: 2, state: "up", role: "primary" });
    // Re-registering on the same connection while registered: Registered again, no Unregistered.
    h.clear();
    const l2 = h.link(A.ip);
    h.register(A, 70, l2);
    t.notOk(h.types().includes("DeviceUnregistered"));
    t.ok(h.types().includes("DeviceRegistered"));
    // The first connection of 60 was superseded by the new one to the same CallManager.
    t.equal(h.model.device(A.name)!.links.length, 1);
});

t.test("reset from the CallManager, and a rejected registration", async (t) => {
    const h = new Harness();
    const l = h.register(A, 10);
    h.clear();
    l.down(11, "Reset", { resetType: 3 }); // apply config: stays registered
    t.same(h.types(), []);
    l.down(12, "Reset", { resetType: 2 });
    t.match(h.of("DeviceUnregistered")[0], { reason: "reset" });
    h.clear();
    const l2 = h.link("10.1.0.9");
    l2.up(20, "RegisterReq", { deviceName: "SEP0011223344FF", deviceType: 7 });
    l2.down(20, "RegisterReject", { text: "Error: No License" });
    t.match(h.of("DeviceUnregistered")[0], { device: "SEP0011223344FF", reason: "rejected" });
    t.equal(h.model.device("SEP0011223344FF")!.registration, "rejected");
});

t.test("phone power-off: keepalives stop, unregistered after 3 intervals (tick), not before", async (t) => {
    const h = new Harness();
    const l = h.register(A, 0);
    l.up(30, "KeepAliveReq").down(30, "KeepAliveAck");
    l.up(60, "KeepAliveReq").down(60, "KeepAliveAck");
    h.clear();
    t.equal(h.model.nextDeadline(), 150);
    h.model.tick(149);
    t.same(h.types(), []);
    h.model.tick(150.5);
    t.strictSame(h.types(), ["DeviceUnregistered", "CallManagerLinkChanged", "LineStateChanged"]);
    t.match(h.of("DeviceUnregistered")[0], { t: 150.5, reason: "keepalive-timeout" });
    t.equal(h.model.nextDeadline(), null);
    // The capture had lost the keepalives: they resume on the same connection → registered again.
    h.clear();
    l.up(160, "KeepAliveReq");
    t.strictSame(h.types(), ["CallManagerLinkChanged", "DeviceRegistered", "LineStateChanged"]);
    t.match(h.of("DeviceRegistered")[0], { inferred: true });
});

t.test("keepalive multiple and default interval are configurable", async (t) => {
    const h = new Harness({ keepAliveMultiple: 2, defaultKeepAliveS: 10 });
    const l = h.link("10.1.0.5", "10.0.0.1", { midstream: true });
    l.down(0, "CallState", { callState: 1, lineInstance: 1, callReference: 5 });
    h.model.tick(19);
    t.equal(h.model.device("@10.1.0.5")!.registration, "registered");
    h.model.tick(21);
    t.equal(h.model.device("@10.1.0.5")!.registration, "unregistered");
});

t.test("standby link: keepalive-only connection to the backup CallManager, then failover", async (t) => {
    const h = new Harness();
    const primary = h.register({ ...A, cm: "10.0.0.1" }, 0);
    const standby = h.link(A.ip, "10.0.0.2");
    h.clear();
    standby.up(1, "KeepAliveReq").down(1, "KeepAliveAck");
    t.strictSame(h.types(), ["CallManagerLinkChanged"]);
    t.match(h.of("CallManagerLinkChanged")[0], {
        device: A.name,
        cm: "10.0.0.2:2000",
        roleFrom: null,
        role: "standby",
        from: null,
        to: "up",
        reason: "keepalive",
    });
    standby.up(61, "KeepAliveReq");
    primary.up(30, "KeepAliveReq");
    h.link("10.1.0.9", "10.0.0.2").up(62, "KeepAliveReq"); // a phone with only a standby link
    t.same(h.model.callManagers(), [
        { cm: "10.0.0.1:2000", primary: 1, standby: 0 },
        { cm: "10.0.0.2:2000", primary: 0, standby: 2 },
    ]);
    t.same(
        h.model.device(A.name)!.links.map((l) => [l.cm, l.role, l.state]),
        [
            ["10.0.0.1:2000", "primary", "up"],
            ["10.0.0.2:2000", "standby", "up"],
        ],
    );
    // The primary CallManager fails: RST, then the phone registers on the standby connection.
    h.clear();
    primary.close(62, "rst");
    t.strictSame(h.types(), ["DeviceUnregistered", "CallManagerLinkChanged", "LineStateChanged"]);
    h.clear();
    h.register({ ...A, cm: "10.0.0.2" }, 63, standby);
    t.strictSame(h.types(), ["CallManagerLinkChanged", "DeviceRegistered", "LineStateChanged"]);
    t.match(h.of("CallManagerLinkChanged")[0], {
        cm: "10.0.0.2:2000",
        roleFrom: "standby",
        role: "primary",
        from: "up",
        to: "up",
        reason: "failover",
    });
    t.match(h.of("DeviceRegistered")[0], { cm: "10.0.0.2:2000" });
    t.equal(h.model.device(A.name)!.cm, "10.0.0.2:2000");
    // The old primary comes back as a standby.
    h.clear();
    const back = h.link(A.ip, "10.0.0.1");
    back.up(100, "KeepAliveReq");
    t.match(h.of("CallManagerLinkChanged")[0], { cm: "10.0.0.1:2000", role: "standby", to: "up" });
});

t.test("a standby link that goes quiet is reported down; closing it too", async (t) => {
    const h = new Harness();
    const primary = h.register(A, 0);
    const standby = h.link(A.ip, "10.0.0.2");
    standby.up(0, "KeepAliveReq");
    h.clear();
    for (let k = 30; k <= 180; k += 30) primary.up(k, "KeepAliveReq");
    h.model.tick(100);
    t.same(h.types(), []);
    h.model.tick(181);
    t.match(h.of("CallManagerLinkChanged"), [
        { cm: "10.0.0.2:2000", role: "standby", from: "up", to: "down", reason: "keepalive-timeout" },
    ]);
    standby.up(182, "KeepAliveReq");
    t.match(h.events.at(-1), { type: "CallManagerLinkChanged", from: "down", to: "up" });
    h.clear();
    standby.close(190);
    t.match(h.of("CallManagerLinkChanged"), [{ role: "standby", to: "down", reason: "connection-closed" }]);
    t.equal(h.model.device(A.name)!.registration, "registered");
});

t.test("the end of a capture, an idle or evicted connection say nothing about the phone", async (t) => {
    for (const reason of ["end", "idle", "evicted"] as const) {
        const h = new Harness();
        const l = h.register(A, 0);
        h.clear();
        l.close(10, reason);
        t.same(h.types(), [], reason);
        t.equal(h.model.device(A.name)!.registration, "registered");
    }
    // Without a reason (observer used without the tap) a close is a real close.
    const h = new Harness();
    const l = h.register(A, 0);
    l.close(10);
    t.equal(h.model.device(A.name)!.registration, "unregistered");
});

t.test("refused connection attempts are counted on one link", async (t) => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.link(A.ip, "10.0.0.9").close(i, "rst");
    h.link(A.ip, "10.0.0.9").close(4, "end"); // a SYN at the end of the file: not a refusal
    t.equal(h.of("CallManagerLinkChanged").length, 1);
    h.register(A, 10);
    t.same(
        h.model.device(A.name)!.links.map((l) => [l.cm, l.state, l.attempts]),
        [
            ["10.0.0.9:2000", "refused", 3],
            ["10.0.0.1:2000", "up", 1],
        ],
    );
    // A refusal from a CallManager the phone once had a link to.
    h.clear();
    const s = h.link(A.ip, "10.0.0.8");
    s.up(11, "KeepAliveReq");
    s.close(12, "rst");
    h.link(A.ip, "10.0.0.8").close(13, "rst");
    t.same(
        h.of("CallManagerLinkChanged").map((e) => `${e.from}>${e.to}`),
        ["null>up", "up>down", "down>refused"],
    );
});

t.test(
    "mid-stream join: anonymous device by IP, inferred registration, then the real registration names it",
    async (t) => {
        const h = new Harness();
        const l = h.link("10.1.0.7", "10.0.0.1", { midstream: true });
        l.down(1, "SetRinger", { ringMode: 2, ringDuration: 1, lineInstance: 1, callReference: 9 });
        t.match(h.of("DeviceRegistered")[0], { device: "@10.1.0.7", inferred: true });
        t.match(h.model.deviceByIp("10.1.0.7"), { key: "@10.1.0.7", uncertain: true, callStateMode: "unknown" });
        l.up(2, "Alarm", {
            alarmSeverity: 2,
            text: "Name=SEP0011223344CC Load=P00308000500 Last=Reset",
            parm1: 0,
            parm2: 0,
        });
        h.register({ name: "SEP0011223344CC", ip: "10.1.0.7", dns: ["1007"] }, 3, l);
        t.equal(h.model.device("@10.1.0.7"), null);
        const d = h.model.device("SEP0011223344CC")!;
        t.match(d, { key: "SEP0011223344CC", firmware: "P00308000500", uncertain: false, inferred: false });
        t.equal(d.links.length, 1);
        t.equal(h.model.deviceByIp("10.1.0.7")!.key, "SEP0011223344CC");
    },
);

t.test("an anonymous device merges into a known one registering from its address", async (t) => {
    const h = new Harness();
    h.register(A, 0);
    // The phone moves to a new address; a standby link from there was seen first.
    const s = h.link("10.1.0.99", "10.0.0.2");
    s.up(5, "KeepAliveReq");
    t.ok(h.model.device("@10.1.0.99"));
    h.register({ ...A, ip: "10.1.0.99" }, 6);
    t.equal(h.model.device("@10.1.0.99"), null);
    const d = h.model.device(A.name)!;
    t.equal(d.ip, "10.1.0.99");
    t.same(d.links.map((l) => l.cm).sort(), ["10.0.0.1:2000", "10.0.0.2:2000"]);
    t.equal(h.model.deviceByIp("10.1.0.1"), null);
});

t.test("registration details: MAC from the RegisterReq, ConfigStatRes, Alarm before Register", async (t) => {
    const h = new Harness();
    const l = h.link("10.1.0.8");
    l.up(0, "Alarm", {
        alarmSeverity: 2,
        text: "Name=ATA00AA Load=ATA030204SCCP Last=Initialized",
        parm1: 0,
        parm2: 0,
    });
    l.up(0, "RegisterReq", {
        deviceName: "ATA00AABBCCDDEE",
        stationIpAddr: "10.1.0.8",
        deviceType: 12,
        maxStreams: 0,
        activeStreams: 0,
        protocolVer: 5,
        phoneFeatures: 0,
        maxConferences: 0,
        activeConferences: 0,
        macAddress: Buffer.from("00AABBCCDDEE").toString("hex"),
        ipV4AddressScope: 0,
        maxNumberOfLines: 2,
        stationIpV6Addr: "::",
        ipV6AddressScope: 0,
        firmwareLoadName: "",
    });
    l.down(0, "RegisterAck", {
        keepAliveInterval: 30,
        dateTemplate: "M/D/YA",
        secondaryKeepAliveInterval: 60,
        maxProtocolVer: 5,
        phoneFeatures: 0,
    });
    l.down(0, "ConfigStatRes", {
        deviceName: "ATA00AABBCCDDEE",
        userName: "jdoe",
        serverName: "CM1",
        numberOfLines: 2,
        numberOfSpeedDials: 0,
    });
    l.down(0, "TimeDateRes", { wYear: 1900, wMonth: 0, wDay: 0 }); // not a date: ignored
    const d = h.model.device("ATA00AABBCCDDEE")!;
    t.match(d, {
        mac: "00AABBCCDDEE",
        model: "Cisco ATA 186",
        supportsCallBackSoftkey: false,
        firmware: "ATA030204SCCP",
        userName: "jdoe",
        serverName: "CM1",
        dateTemplate: "M/D/YA",
        phoneTime: null,
    });
    // Unknown device types are named from Wireshark's table, or by number.
    const h2 = new Harness();
    h2.register({ name: "SEPAAAAAAAAAAAA", ip: "10.1.0.3", dns: ["3"], deviceType: 30018 }, 0);
    h2.register({ name: "SEPBBBBBBBBBBBB", ip: "10.1.0.4", dns: ["4"], deviceType: 99999 }, 0);
    t.equal(h2.model.device("SEPAAAAAAAAAAAA")!.model, "7961G");
    t.equal(h2.model.device("SEPBBBBBBBBBBBB")!.model, "DeviceType99999");
});

t.test("bounded: devices beyond the cap evict the least recently seen (unregistered first)", async (t) => {
    const h = new Harness({ maxDevices: 16 });
    for (let i = 0; i < 16; i++) {
        h.register(
            {
                name: `SEP0000000000${(i + 16).toString(16).toUpperCase()}`,
                ip: `10.2.0.${i + 1}`,
                dns: [`${2000 + i}`],
            },
            i,
        );
    }
    h.link("10.2.0.1").close(100, "fin"); // no effect (no messages): a refusal on a known device
    t.equal(h.model.stats().devices, 16);
    h.clear();
    h.register({ name: "SEP00000000FFFF", ip: "10.2.1.1", dns: ["2999"] }, 200);
    const st = h.model.stats();
    t.equal(st.devicesEvicted, 1);
    t.equal(st.devices, 16);
    t.equal(h.model.device("SEP000000000010"), null); // the oldest
    t.match(h.of("DeviceUnregistered")[0], { device: "SEP000000000010", reason: "evicted" });
    t.ok(h.lineChanges().includes("2000:idle>unknown"));
    t.equal(h.model.dn("2000").known, false);
});

t.test("bounded: connections beyond the cap are forgotten oldest first", async (t) => {
    const h = new Harness({ maxConnections: 4 });
    for (let i = 0; i < 6; i++) h.link(`10.3.0.${i}`).up(i, "KeepAliveReq");
    t.equal(h.model.stats().connections, 4);
    t.equal(h.model.stats().connectionsEvicted, 2);
});
