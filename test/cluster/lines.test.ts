/** Lines and numbers: a line's state from its calls, a DN's state across the devices that share it. */
import t from "tap";
import { newCall } from "../../src/cluster/calls.js";
import { newDevice } from "../../src/cluster/devices.js";
import { computeDn, line, lineChanged, lineState, setLineDn } from "../../src/cluster/lines.js";
import {
    createState,
    type Device,
    type ModelState,
    STATE_CONNECTED,
    STATE_HOLD,
    STATE_RINGIN,
} from "../../src/cluster/state.js";
import type { ClusterEvent } from "../../src/cluster/types.js";

function registered(s: ModelState, key: string): Device {
    const d = newDevice(s, key, key, 0);
    d.registration = "registered";
    return d;
}

t.test("a line's state: busy beats ringing beats unknown beats idle", async (t) => {
    const s = createState({});
    const d = newDevice(s, "SEP000000000001", "SEP000000000001", 0);
    const l = line(s, d, 1, false)!;
    t.equal(lineState(l), "unknown", "not registered: unknown");
    d.registration = "registered";
    t.equal(lineState(l), "idle");
    const ringing = newCall(s, l, 7, STATE_RINGIN, "callstate", 1);
    t.equal(lineState(l), "ringing");
    const unsure = newCall(s, l, 8, null, "callstate", 1);
    t.equal(lineState(l), "ringing", "a ringing call outranks an uncertain one");
    ringing.state = STATE_HOLD;
    t.equal(lineState(l), "busy", "a call on hold keeps the line in use");
    ringing.state = STATE_RINGIN;
    unsure.state = STATE_CONNECTED;
    unsure.uncertain = false;
    t.equal(lineState(l), "busy");
    t.equal(line(s, d, 0, false), null, "instance 0 is no line");
    t.equal(line(s, d, 65, false), null, "beyond the highest instance");
});

t.test("a DN combines every registered device that has it; each change is one LineStateChanged", async (t) => {
    const events: ClusterEvent[] = [];
    const s = createState({ onEvent: (e) => events.push(e) });
    const a = line(s, registered(s, "SEP000000000001"), 1, false)!;
    const b = line(s, registered(s, "SEP000000000002"), 1, false)!;
    t.same(computeDn(s, "100"), { state: "unknown", uncertain: false, source: null }, "nobody has it yet");
    setLineDn(s, a, "100", "linestat", 1);
    setLineDn(s, b, "100", "linestat", 1);
    lineChanged(s, a, 1);
    lineChanged(s, b, 1);
    t.same(computeDn(s, "100"), { state: "idle", uncertain: false, source: "sccp" });
    newCall(s, b.device.lines[1]!, 3, STATE_RINGIN, "callstate", 2);
    lineChanged(s, b, 2);
    t.equal(computeDn(s, "100").state, "ringing");
    newCall(s, a, 4, STATE_CONNECTED, "callstate", 3);
    lineChanged(s, a, 3);
    t.equal(computeDn(s, "100").state, "busy");
    const changes = events.filter((e) => e.type === "LineStateChanged").map((e) => (e as { to: string }).to);
    t.same(changes, ["idle", "ringing", "busy"]);
    a.device.registration = "unregistered";
    b.device.registration = "unregistered";
    t.equal(computeDn(s, "100").source, null, "only registered devices count");
});
