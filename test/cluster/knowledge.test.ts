/**
 * Knowledge that survives a restart: what the model learned at registration is exported, restored into a
 * new model (a restarted box), serves a CallBack press at once, is confirmed by traffic, replaced by a new
 * registration, invalidated when another phone takes the address, and dropped after the maximum age. A box
 * installed late (nothing restored) says which phones it cannot serve, and learns from other phones.
 */
import t from "tap";
import { type KnowledgeSnapshot, unlearnedText } from "../../src/cluster/knowledge.js";
import { ClusterModel } from "../../src/cluster/model.js";
import { callInfo, callState, dial, Harness, tone } from "./helpers.js";

const A = { name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] };
const B = { name: "SEP0000000B0002", ip: "10.1.0.2", dns: ["1002"] };
const C = { name: "SEP0000000C0003", ip: "10.1.0.3", dns: ["1003"] };
const CALLBACK_EVENT = 35;
const DAY = 86_400;

/** A box that saw A, B and C register (with forwarding on B), then the knowledge it would write. */
function learnedOffice(): { h: Harness; k: KnowledgeSnapshot } {
    const h = new Harness();
    h.register(A, 0);
    const b = h.register(B, 0);
    h.register(C, 0);
    b.down(1, "ForwardStatRes", {
        activeForward: 1,
        lineNumber: 1,
        forwardAllActive: 0,
        forwardAllNumber: "",
        forwardBusyActive: 1,
        forwardBusyNumber: "1999",
        forwardNoAnswerActive: 0,
        forwardNoAnswerNumber: "",
    });
    return { h, k: h.model.exportKnowledge() };
}

/** A's call to B, busy, and the CallBack press, on a connection the restarted box joins mid-stream. */
function pressOnBusy(h: Harness, t0: number): void {
    const a = h.link(A.ip, "10.0.0.1", { midstream: true });
    dial(a, t0, 100, "1002");
    callInfo(a, t0, 1, 100, 2, "1001", "1002");
    tone(a, t0, 0x23, 1, 100);
    callState(a, t0, 6, 1, 100);
    a.up(t0 + 1, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 });
}

t.test("export → restore: a restarted box knows every phone, unregistered until seen", async (t) => {
    const { h, k } = learnedOffice();
    t.equal(k.devices.length, 3);
    t.equal(k.templates.length, 1, "the three phones share one template");
    t.equal(k.callManagers.length, 1);
    const before = h.model.device(B.name)!;

    const m = new ClusterModel();
    t.equal(m.restoreKnowledge(k), 3);
    t.equal(m.knowledgeVersion, 0, "restoring is not a change to write back");
    const after = m.device(B.name)!;
    t.match(after, {
        name: B.name,
        ip: B.ip,
        model: before.model,
        deviceType: 7,
        dateTemplate: "D.M.Y",
        keepAliveS: 30,
        registration: "unknown",
        callStateMode: "callstate",
        knowledge: { learnedBy: "registration", restored: true, seenAt: null, missing: [] },
    });
    t.strictSame(after.softKeys, before.softKeys, "template and sets: the CallBack key and where it shows");
    t.strictSame(
        after.lines.map((l) => [l.instance, l.dn, l.dnSource, l.displayName, l.label, l.forwarding]),
        before.lines.map((l) => [l.instance, l.dn, l.dnSource, l.displayName, l.label, l.forwarding]),
    );
    t.strictSame(m.phoneTime(B.name, 100), h.model.phoneTime(B.name, 100), "the phone's clock and date format");
    t.ok(m.isKnownDn("1002"), "numbers are in the directory");
    t.equal(m.dnState("1002"), "unknown", "but their state is not known before the phones are seen");
    t.equal(m.dn("1002").forwarding?.busy, "1999");
    t.strictSame(m.deviceByIp(A.ip)?.key, A.name);
    t.strictSame(m.knowledgeSummary(), {
        devices: 3,
        registration: 0,
        restored: 3,
        confirmed: 0,
        inferred: 0,
        unlearned: 0,
    });
    t.strictSame(m.exportKnowledge(), k, "exported again unchanged");
});

t.test("after the restart a CallBack press on busy is understood at once (no re-registration)", async (t) => {
    const { k } = learnedOffice();
    const h = new Harness();
    h.model.restoreKnowledge(k);
    pressOnBusy(h, 1000);
    const [press] = h.of("CallBackPressed");
    t.match(press, {
        device: A.name,
        name: A.name,
        ip: A.ip,
        line: 1,
        callerDn: "1001",
        calledDn: "1002",
        trigger: "busy",
        source: "softkey",
    });
    t.match(h.of("DeviceRegistered")[0], { device: A.name, inferred: true }, "confirmed by its call traffic");
    t.match(h.model.device(A.name)?.knowledge, { restored: true, seenAt: 1000 });
    t.match(h.model.knowledgeSummary(), { restored: 3, confirmed: 1 });
});

t.test("a restored phone's keepalives to its home CallManager confirm it: its number reads idle", async (t) => {
    const { k } = learnedOffice();
    const h = new Harness();
    h.model.restoreKnowledge(k);
    const b = h.link(B.ip, "10.0.0.1", { midstream: true });
    b.up(500, "KeepAliveReq");
    t.match(h.of("DeviceRegistered")[0], { device: B.name, inferred: true });
    t.equal(h.model.device(B.name)?.registration, "registered");
    t.strictSame(h.lineChanges(), ["1002:unknown>idle"]);
    // a keepalive-only connection to another CallManager is a standby link, as before
    const b2 = h.link(B.ip, "10.0.0.2", { midstream: true });
    b2.up(501, "KeepAliveReq");
    t.match(h.model.device(B.name)?.links, [
        { cm: "10.0.0.1:2000", role: "primary" },
        { cm: "10.0.0.2:2000", role: "standby" },
    ]);
});

t.test("a new registration replaces what was restored", async (t) => {
    const { k } = learnedOffice();
    const h = new Harness();
    h.model.restoreKnowledge(k);
    const v = h.model.knowledgeVersion;
    h.register({ ...A, dns: ["1011", "1012"] }, 2000);
    t.ok(h.model.knowledgeVersion > v, "a registration is written");
    t.match(h.model.device(A.name), {
        registration: "registered",
        knowledge: { learnedBy: "registration", learnedAt: 2000, restored: false },
    });
    t.strictSame(
        h.model.device(A.name)?.lines.map((l) => l.dn),
        ["1011", "1012"],
    );
    t.notOk(h.model.isKnownDn("1001"), "the old number is gone with the old line map");
    t.match(h.model.knowledgeSummary(), { registration: 1, restored: 2 });
});

t.test("an address now used by another device name invalidates the old device's knowledge", async (t) => {
    const { k } = learnedOffice();
    const h = new Harness();
    h.model.restoreKnowledge(k);
    const D = { name: "SEP0000000D0004", ip: A.ip, dns: ["1004"] };
    h.register(D, 3000);
    t.equal(h.model.device(A.name), null, "A's knowledge is dropped: pushes must not reach D in A's name");
    t.notOk(h.model.isKnownDn("1001"));
    t.equal(h.model.deviceByIp(A.ip)?.key, D.name);
    // the same for a phone replaced while the box runs
    h.register({ name: "SEP0000000E0005", ip: D.ip, dns: ["1005"] }, 3100);
    t.equal(h.model.device(D.name), null);
    t.match(h.of("DeviceUnregistered"), [{ device: D.name, reason: "superseded" }]);
});

t.test("knowledge of a device not seen for the maximum age is dropped; recent and registered ones stay", async (t) => {
    const { k } = learnedOffice();
    const h = new Harness({ knowledgeMaxAgeDays: 30 });
    h.model.restoreKnowledge(k);
    // B is seen again on day 20; A and C never
    h.link(B.ip, "10.0.0.1", { midstream: true }).up(20 * DAY, "KeepAliveReq");
    h.model.tick(29 * DAY);
    t.equal(h.model.stats().devices, 3, "not yet 30 days");
    h.model.tick(30 * DAY + 1);
    t.equal(h.model.device(A.name), null);
    t.equal(h.model.device(C.name), null);
    t.equal(h.model.stats().knowledgeExpired, 2);
    t.notOk(h.model.isKnownDn("1001"));
    t.ok(h.model.device(B.name), "B stays: registered, and seen 10 days ago");
    t.ok(h.model.nextKnowledgeCheck > 30 * DAY, "the next look is an hour later, not at every tick");
});

t.test(
    "knowledge changes are counted for registrations, lines and forwarding; never for keepalives or calls",
    async (t) => {
        const h = new Harness();
        const a = h.register(A, 0);
        const b = h.register(B, 0);
        let v = h.model.knowledgeVersion;
        t.ok(v > 0);
        a.up(30, "KeepAliveReq").down(30, "KeepAliveAck");
        dial(a, 40, 100, "1002");
        callInfo(a, 40, 1, 100, 2, "1001", "1002");
        callState(a, 41, 5, 1, 100);
        callState(a, 50, 2, 1, 100);
        // the CallManager sets the phone's clock again: the same clock is not news
        a.down(60, "TimeDateRes", {
            wYear: 2026,
            wMonth: 6,
            wDayOfWeek: 3,
            wDay: 3,
            wHour: 14,
            wMinute: 6,
            wSecond: 0,
            wMilliseconds: 0,
            systemTime: Date.UTC(2026, 5, 3, 12, 6, 0) / 1000,
        });
        t.equal(h.model.knowledgeVersion, v, "keepalives, a call and the same clock change nothing durable");
        b.down(70, "LineStatRes", {
            lineNumber: 1,
            lineDirNumber: "1002",
            lineFullyQualifiedDisplayName: "Bob",
            lineTextLabel: "1002",
            lineDisplayOptions: 9,
        });
        t.ok(h.model.knowledgeVersion > v, "a new display name");
        v = h.model.knowledgeVersion;
        b.down(71, "ForwardStatRes", {
            activeForward: 1,
            lineNumber: 1,
            forwardAllActive: 1,
            forwardAllNumber: "1003",
            forwardBusyActive: 0,
            forwardBusyNumber: "",
            forwardNoAnswerActive: 0,
            forwardNoAnswerNumber: "",
        });
        t.ok(h.model.knowledgeVersion > v, "forwarding");
        v = h.model.knowledgeVersion;
        a.down(80, "TimeDateRes", {
            wYear: 2026,
            wMonth: 6,
            wDayOfWeek: 3,
            wDay: 3,
            wHour: 15,
            wMinute: 6,
            wSecond: 0,
            wMilliseconds: 0,
            systemTime: Date.UTC(2026, 5, 3, 12, 6, 0) / 1000,
        });
        t.ok(h.model.knowledgeVersion > v, "a new time zone");
    },
);

t.test("a late install: phones with traffic but no registration are unlearned until they can be served", async (t) => {
    const h = new Harness();
    // A and B talk; the box never saw them register (connections joined mid-stream)
    const a = h.link(A.ip, "10.0.0.1", { midstream: true });
    const b = h.link(B.ip, "10.0.0.1", { midstream: true });
    a.up(10, "KeepAliveReq");
    b.up(10, "KeepAliveReq");
    t.strictSame(
        h.model.unlearnedPhones().map((p) => [p.device, p.missing]),
        [
            ["@10.1.0.1", ["callback-key", "numbers"]],
            ["@10.1.0.2", ["callback-key", "numbers"]],
        ],
    );
    t.match(h.model.device("@10.1.0.1")?.knowledge, { learnedBy: "traffic", missing: ["callback-key", "numbers"] });
    // a call teaches both numbers (CallInfo), but not the softkeys
    dial(a, 20, 100, "1002");
    callInfo(a, 20, 1, 100, 2, "1001", "1002");
    callInfo(b, 20, 1, 200, 1, "1001", "1002");
    t.strictSame(
        h.model.unlearnedPhones().map((p) => [p.device, p.missing]),
        [
            ["@10.1.0.1", ["callback-key"]],
            ["@10.1.0.2", ["callback-key"]],
        ],
    );
    t.match(h.model.knowledgeSummary(), { unlearned: 2, inferred: 0 });
    // a softkey press now cannot be interpreted: reported without a label
    a.up(21, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 });
    t.match(h.of("SoftKeyPressed"), [{ device: "@10.1.0.1", event: CALLBACK_EVENT, label: null }]);
    t.strictSame(h.of("CallBackPressed"), []);
    // one other phone of the same CallManager registers: event numbers are CallManager-wide
    h.register(C, 30);
    t.strictSame(h.model.unlearnedPhones(), [], "every phone with traffic can now be served");
    t.match(h.model.knowledgeSummary(), { registration: 1, inferred: 2, unlearned: 0 });
    a.up(31, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 });
    t.match(h.of("CallBackPressed"), [{ device: "@10.1.0.1", callerDn: "1001", calledDn: "1002" }]);
});

t.test("the unlearned text names the first phones and counts the rest", async (t) => {
    const phones = Array.from({ length: 7 }, (_, i) => ({
        device: `SEP00000000000${i}`,
        name: `SEP00000000000${i}`,
        ip: null,
        seenAt: 0,
        missing: ["numbers" as const],
    }));
    t.equal(
        unlearnedText(phones),
        "7 phones with traffic lack the CallBack key or their numbers (SEP000000000000, SEP000000000001, SEP000000000002, SEP000000000003, SEP000000000004 and 2 more): reset these phones from CallManager, or wait for their next registration",
    );
    t.match(unlearnedText(phones.slice(0, 1)), /^1 phone with traffic lacks/);
});

t.test("phones without softkeys are not asked for a CallBack key", async (t) => {
    const h = new Harness();
    // 7910 (device type 6): no softkeys, so no template ever comes
    const l = h.link("10.1.0.9");
    l.up(1, "RegisterReq", { deviceName: "SEP000000091000", deviceType: 6, protocolVer: 2 });
    l.down(1, "LineStatRes", {
        lineNumber: 1,
        lineDirNumber: "1099",
        lineFullyQualifiedDisplayName: "",
        lineTextLabel: "",
    });
    t.strictSame(h.model.unlearnedPhones(), []);
});

t.test(
    "restoring is bounded by maxDevices (the most recently seen first) and skips devices already known",
    async (t) => {
        const { k } = learnedOffice();
        const lastSeen = { [A.name]: 5, [B.name]: 9, [C.name]: 7 };
        const snap = { ...k, devices: k.devices.map((d) => ({ ...d, lastSeen: lastSeen[d.key] ?? 0 })) };
        const m = new ClusterModel({ maxDevices: 2 });
        t.equal(m.restoreKnowledge(snap), 2);
        t.strictSame(
            m.allDevices().map((d) => d.key),
            [B.name, C.name],
        );
        t.equal(m.restoreKnowledge(snap), 0, "known devices keep what this run learned");
    },
);
