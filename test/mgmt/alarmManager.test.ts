import t from "tap";
import {
    type AlarmEventData,
    AlarmManager,
    type AlarmManagerOptions,
    fingerprint,
    percentStateChange,
} from "../../src/mgmt/alarmManager.js";
import { ALARM_CATALOGUE, alarmDefinition, SEVERITIES, SYSLOG_LEVEL } from "../../src/mgmt/catalogue.js";
import { FakeClock } from "../../src/util/fakeClock.js";

const T0 = 1_700_000_000_000;

function setup(extra: Partial<AlarmManagerOptions> = {}) {
    const clock = new FakeClock(T0);
    const events: AlarmEventData[] = [];
    let tableChanges = 0;
    const m = new AlarmManager({
        clock,
        emit: (e) => events.push(e),
        onTableChange: () => tableChanges++,
        ...extra,
    });
    const states = () => events.map((e) => `${e.key}:${e.state}${e.flapping ? "~" : ""}`);
    return { clock, m, events, states, tables: () => tableChanges };
}

t.test("the catalogue covers the issue's list with complete entries", async (t) => {
    const ids = ALARM_CATALOGUE.map((d) => d.id);
    for (const id of [
        "capture.down",
        "capture.dropping",
        "cucm.link-not-observed",
        "cti.link-down",
        "cti.provider-open-failed",
        "phone.push-credentials",
        "phone.push-unreachable",
        "flash.not-writable",
        "flash.corrupt-slot",
        "flash.write-rate",
        "mqtt.broker-lost",
        "redundancy.role-change",
        "config.rejected",
        "service.failure",
    ]) {
        t.ok(ids.includes(id), id);
    }
    t.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const d of ALARM_CATALOGUE) {
        t.ok(SEVERITIES.includes(d.severity) && d.description.length > 10 && d.action.length > 10, d.id);
        t.match(d.id, /^[a-z]+\.[a-z-]+$/);
    }
    t.same(SYSLOG_LEVEL, { critical: 2, major: 3, minor: 4, warning: 5 });
    t.equal(alarmDefinition("nope"), undefined);
});

t.test("raise, de-duplicate, escalate and clear", async (t) => {
    const { m, events, states, tables } = setup();
    m.raise("service.failure", { text: "worker crashed", cause: "exit-1" });
    t.same(states(), ["service.failure:raised"]);
    t.match(events[0], {
        severity: "critical",
        syslog: 2,
        text: "worker crashed",
        cause: "exit-1",
        count: 1,
        firstRaised: T0,
    });
    m.raise("service.failure");
    m.raise("service.failure");
    t.same(states(), ["service.failure:raised"], "repeats are de-duplicated by fingerprint");
    t.equal(m.active()[0]?.count, 3, "but counted");
    m.raise("service.failure", { severity: "major" });
    t.same(states(), ["service.failure:raised", "service.failure:updated"], "a severity change is an update");
    t.equal(events[1]?.severity, "major");
    t.ok(m.isActive("service.failure"));
    m.clear("service.failure");
    t.same(states(), ["service.failure:raised", "service.failure:updated", "service.failure:cleared"]);
    t.same(m.active(), []);
    t.notOk(m.isActive("service.failure"));
    t.equal(tables(), 3);
    m.clear("service.failure");
    m.clear("capture.down");
    t.equal(events.length, 3, "clearing what is not active does nothing");
    t.throws(() => m.raise("no.such"), { code: "ALARM_UNKNOWN" });
    t.throws(() => m.clear("no.such"), { code: "ALARM_UNKNOWN" });
});

t.test("instances are told apart by resource and labels; the fingerprint ignores label order", async (t) => {
    const { m, clock, states } = setup();
    m.raise("phone.push-unreachable", { resource: "SEP000000000001" });
    m.raise("phone.push-unreachable", { resource: "SEP000000000002", labels: { b: "2", a: "1" } });
    m.raise("phone.push-unreachable", { resource: "SEP000000000002", labels: { a: "1", b: "2" } });
    t.same(states(), [
        "phone.push-unreachable/SEP000000000001:raised",
        "phone.push-unreachable/SEP000000000002:raised",
    ]);
    t.equal(fingerprint({ a: "1", b: "2" }), fingerprint({ b: "2", a: "1" }));
    t.not(fingerprint({ a: "1b" }), fingerprint({ a1: "b" }), "name/value boundaries count");
    t.match(fingerprint({}), /^[0-9a-f]{16}$/);
    const active = m.active();
    t.equal(active.length, 2);
    m.clear("phone.push-unreachable", { resource: "SEP000000000002", labels: { b: "2", a: "1" } });
    await clock.advance(60_000); // its clear delay
    t.equal(m.active().length, 1);
});

t.test("the table lists the most severe first, then the oldest", async (t) => {
    const { m, clock } = setup({
        policies: { "capture.dropping": { raiseDelayMs: 0 }, "capture.down": { raiseDelayMs: 0 } },
    });
    m.raise("flash.write-rate");
    await clock.advance(10);
    m.raise("capture.dropping");
    await clock.advance(10);
    m.raise("capture.down");
    await clock.advance(10);
    m.raise("flash.corrupt-slot", { resource: "b" });
    m.raise("flash.corrupt-slot", { resource: "a" });
    t.same(
        m.active().map((a) => a.key),
        ["capture.down", "capture.dropping", "flash.write-rate", "flash.corrupt-slot/a", "flash.corrupt-slot/b"],
    );
});

t.test("hold-down: a raise waits for its delay, a clear for its own", async (t) => {
    const { m, clock, states } = setup(); // capture.down: raise 5 s, clear 10 s
    m.raise("capture.down");
    await clock.advance(2000);
    m.clear("capture.down");
    await clock.advance(10_000);
    t.same(states(), [], "a blip shorter than the raise delay is never reported");

    m.raise("capture.down", { severity: "major" });
    m.raise("capture.down");
    await clock.advance(4999);
    t.same(states(), []);
    t.notOk(m.isActive("capture.down"));
    await clock.advance(1);
    t.same(states(), ["capture.down:raised"]);
    t.equal(m.active()[0]?.severity, "critical", "the latest severity while pending wins");

    m.clear("capture.down");
    await clock.advance(5000);
    t.ok(m.isActive("capture.down"), "still active while the clear delay runs");
    m.raise("capture.down");
    await clock.advance(20_000);
    t.same(states(), ["capture.down:raised"], "it came back within the clear delay: no clear, no new raise");
    t.equal(m.active()[0]?.count, 2);

    m.clear("capture.down");
    await clock.advance(10_000);
    t.same(states(), ["capture.down:raised", "capture.down:cleared"]);
});

t.test("flapping: events are suppressed until the condition settles", async (t) => {
    const { m, clock, states } = setup({ flap: { quietMs: 60_000 } });
    m.raise("cti.link-down"); // raise 10 s, clear 30 s
    await clock.advance(10_000);
    t.same(states(), ["cti.link-down:raised"]);
    for (let i = 0; i < 12; i++) {
        m.clear("cti.link-down");
        await clock.advance(1000);
        m.raise("cti.link-down");
        await clock.advance(1000);
    }
    t.same(states(), ["cti.link-down:raised", "cti.link-down:updated~"], "one update marks it flapping, then silence");
    t.ok(m.active()[0]?.flapping);
    m.clear("cti.link-down");
    await clock.advance(59_999);
    t.equal(states().length, 2);
    await clock.advance(1);
    t.same(states().slice(2), ["cti.link-down:cleared"], "quiet for the quiet period: settles on the last condition");
    t.same(m.active(), []);
});

t.test("flapping of an alarm that was never raised announces it, and settling on raised updates it", async (t) => {
    const { m, clock, states } = setup({
        policies: { "cti.link-down": { raiseDelayMs: 60_000 } },
        flap: { quietMs: 30_000 },
    });
    for (let i = 0; i < 12; i++) {
        m.raise("cti.link-down");
        m.clear("cti.link-down");
    }
    t.same(states(), ["cti.link-down:raised~"]);
    m.raise("cti.link-down");
    await clock.advance(30_000);
    t.same(states(), ["cti.link-down:raised~", "cti.link-down:updated"]);
    t.equal(m.active()[0]?.flapping, false);
});

t.test("flapping ends when the state change falls below the low threshold", async (t) => {
    const { m, states } = setup({ flap: { quietMs: 3_600_000 } });
    for (let i = 0; i < 12; i++) {
        m.raise("phone.push-unreachable", { resource: "p" });
        m.clear("phone.push-unreachable", { resource: "p" });
    }
    t.same(states(), ["phone.push-unreachable/p:raised", "phone.push-unreachable/p:updated~"]);
    for (let i = 0; i < 30; i++) m.raise("phone.push-unreachable", { resource: "p" });
    t.same(states().slice(2), ["phone.push-unreachable/p:updated"]);
    for (let i = 0; i < 12; i++) {
        m.clear("phone.push-unreachable", { resource: "p" });
        m.raise("phone.push-unreachable", { resource: "p" });
    }
    for (let i = 0; i < 30; i++) m.clear("phone.push-unreachable", { resource: "p" });
    t.same(states().slice(-2), ["phone.push-unreachable/p:updated~", "phone.push-unreachable/p:cleared"]);
});

t.test("alarms without flap detection report every transition", async (t) => {
    const { m, states } = setup();
    for (let i = 0; i < 12; i++) {
        m.raise("config.rejected");
        m.clear("config.rejected");
    }
    t.equal(states().length, 24);
});

t.test("stateless alarms are single events, never in the table", async (t) => {
    const { m, events } = setup();
    m.raise("redundancy.role-change", { text: "now active", labels: { role: "active" } });
    t.equal(events.length, 1);
    t.match(events[0], { state: "event", count: 1, text: "now active", labels: { role: "active" } });
    t.same(m.active(), []);
    m.clear("redundancy.role-change");
    t.equal(events.length, 1);
});

t.test("idle instances beyond the bound are forgotten; close() stops the timers", async (t) => {
    const { m, clock, states } = setup({ maxInstances: 3 });
    for (let i = 0; i < 5; i++) {
        m.raise("phone.push-credentials", { resource: `p${i}` });
        m.clear("phone.push-credentials", { resource: `p${i}` });
        await clock.advance(60_000);
    }
    t.ok(m.size <= 3);
    m.raise("capture.down");
    m.close();
    await clock.advance(60_000);
    t.notOk(states().includes("capture.down:raised"));
    t.equal(clock.pending, 0);
});

t.test("percent state change weighs recent changes more", async (t) => {
    t.equal(percentStateChange([], 21), 0);
    t.equal(percentStateChange([true], 1), 0);
    const alternating = Array.from({ length: 21 }, (_, i) => i % 2 === 0);
    t.equal(Math.round(percentStateChange(alternating, 21)), 100);
    const early = [true, false, ...Array(19).fill(false)];
    const late = [...Array(20).fill(true), false];
    t.ok(percentStateChange(late, 21) > percentStateChange(early, 21));
});
