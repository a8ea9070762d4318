/** The model's shared state: defaults of a fresh state, the field readers and the knowledge bookkeeping. */
import t from "tap";
import { newDevice } from "../../src/cluster/devices.js";
import {
    active,
    createState,
    emit,
    fact,
    macFromField,
    macFromName,
    num,
    sameForwarding,
    stateName,
    text,
} from "../../src/cluster/state.js";
import type { ClusterEvent } from "../../src/cluster/types.js";

t.test("a fresh state takes the defaults, clamps the caps and indexes the static directory", async (t) => {
    const s = createState({});
    t.equal(s.kaMultiple, 3);
    t.equal(s.kaDefault, 30);
    t.equal(s.kaSecondaryDefault, 60);
    t.equal(s.legWindow, 10);
    t.equal(s.recentCap, 64);
    t.equal(s.maxAgeS, 30 * 86_400);
    t.equal(s.nextScan, Number.NEGATIVE_INFINITY);
    const c = createState({
        maxDevices: 0,
        maxCalls: -1,
        recentCalls: -5,
        knowledgeMaxAgeDays: 0,
        staticDirectory: [
            { dn: "100", deviceName: "SEP000000000001" },
            { dn: "100", deviceName: "SEP000000000002" },
            { dn: "101", deviceName: "SEP000000000001" },
        ],
    });
    t.equal(c.maxDevices, 1);
    t.equal(c.maxCalls, 1);
    t.equal(c.recentCap, 0);
    t.equal(c.maxAgeS, 86_400);
    t.equal(c.staticByDn.get("100")?.length, 2);
    t.equal(c.staticByName.get("SEP000000000001")?.length, 2);
});

t.test("field readers", async (t) => {
    t.equal(num({ a: 3, b: "3" }, "a"), 3);
    t.equal(num({ a: 3, b: "3" }, "b"), undefined);
    t.equal(text({ a: "x", b: "", c: 1 }, "a"), "x");
    t.equal(text({ a: "x", b: "", c: 1 }, "b"), null, "empty text is no text");
    t.equal(text({ a: "x", b: "", c: 1 }, "c"), null);
    t.equal(macFromName("SEP00112233aabb"), "00112233AABB");
    t.equal(macFromName("ATA00112233AABB"), null);
    t.equal(macFromField(Buffer.from("00112233aabb", "latin1").toString("hex")), "00112233AABB");
    t.equal(macFromField("00"), null);
    t.equal(macFromField(null), null);
    t.equal(stateName(null), "Unknown");
    t.equal(stateName(5), "Connected");
    t.equal(stateName(250), "State250");
    t.ok(active("registered"));
    t.ok(active("registering"));
    t.notOk(active("unknown"));
    t.ok(sameForwarding(null, null));
    t.notOk(sameForwarding(null, { all: null, busy: null, noAnswer: null }));
    t.ok(sameForwarding({ all: "1", busy: null, noAnswer: null }, { all: "1", busy: null, noAnswer: null }));
});

t.test("a fact counts as learned only when it changes; events are counted and handed on", async (t) => {
    const seen: ClusterEvent[] = [];
    const s = createState({ onEvent: (e) => seen.push(e) });
    const d = newDevice(s, "SEP001122334455", "SEP001122334455", 10);
    const version = s.knowledgeChanges;
    const rev = d.rev;
    fact(s, d, "userName", "alice");
    t.equal(s.knowledgeChanges, version + 1);
    t.equal(d.rev, rev + 1);
    fact(s, d, "userName", "alice");
    t.equal(s.knowledgeChanges, version + 1, "the same value again is not news");
    emit(s, { type: "DeviceUnregistered", t: 1, device: d.key, name: d.name, ip: null, reason: "reset" });
    t.equal(s.counters.events, 1);
    t.equal(seen.length, 1);
});
