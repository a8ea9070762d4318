/** Devices, lines and calls of one CTI session: requests matched to responses, events, call legs. */
import t from "tap";
import { decodeQbeFrame, encodeQbe, type QbeFields } from "../../../src/qbe/codec.js";
import { onObjectMessage } from "../../../src/qbe/link/objects.js";
import { linkContext, newSession } from "../../../src/qbe/link/session.js";
import type { CtiEvent } from "../../../src/qbe/link/types.js";

function setup(opts = {}) {
    const events: CtiEvent[] = [];
    const ctx = linkContext((e) => events.push(e), opts);
    const s = newSession({ key: "c>s", client: "c", server: "s" }, 0);
    const send = (now: number, name: string, fields: QbeFields = {}) =>
        onObjectMessage(ctx, s, decodeQbeFrame(encodeQbe(name, fields)), now);
    return { s, events, send };
}

const LINE = { lineCallManagerID: 1, lineID: 20 };
const CALL = { callCallManagerID: 1, callLegID: 300 };

t.test("device and line opens are reported when their responses succeed", async (t) => {
    const { s, events, send } = setup();
    send(0, "DeviceOpenRequest", { sequenceNumber: 5, deviceName: "SEP1" });
    send(1, "DeviceOpenResponse", { sequenceNumber: 5, result: 0, callManagerID: 1, deviceID: 10 });
    send(2, "LineOpenRequest", { sequenceNumber: 6, deviceName: "SEP1", lineName: "1001" });
    send(3, "LineOpenResponse", { sequenceNumber: 6, result: 0, ...LINE });
    send(4, "LineOpenRequest", { sequenceNumber: 7, deviceName: "SEP1", lineName: "1002" });
    send(5, "LineOpenResponse", { sequenceNumber: 7, result: 1, ...LINE });
    t.match(events, [
        { type: "DeviceOpened", deviceName: "SEP1", device: { callManagerID: 1, id: 10 } },
        { type: "LineOpened", deviceName: "SEP1", lineName: "1001", line: { id: 20 } },
    ]);
    t.equal(events.length, 2, "a failed open reports nothing");
    t.equal(s.pending.size, 0, "requests settled");
    send(6, "DeviceInServiceEvent", { deviceCallManagerID: 1, deviceID: 10, reason: 0 });
    send(7, "LineOutOfServiceEvent", { ...LINE, reason: 3 });
    t.match(events.slice(2), [
        { type: "DeviceInService", deviceName: "SEP1" },
        { type: "LineOutOfService", lineName: "1001", reason: 3 },
    ]);
});

t.test("call legs follow state changes and parties, and go with their call or line", async (t) => {
    const { s, events, send } = setup();
    send(0, "LineOpenRequest", { sequenceNumber: 6, deviceName: "SEP1", lineName: "1001" });
    send(1, "LineOpenResponse", { sequenceNumber: 6, result: 0, ...LINE });
    send(2, "NewCallEvent", { ...LINE, ...CALL, state: 2, callingParty: "1001", calledParty: "1002" });
    send(3, "CallStateChangedEvent_V2", { ...LINE, ...CALL, state: 3 });
    t.match(events.at(-1), {
        type: "CallStateChanged",
        lineName: "1001",
        deviceName: "SEP1",
        state: 3,
        callingParty: "1001",
        calledParty: "1002",
        source: "CallStateChangedEvent_V2",
    });
    send(4, "CallPartyInfoChangedEvent", { ...LINE, ...CALL, calledPartyChanged: true, calledParty: "1009" });
    t.equal([...s.legs.values()][0]?.calledParty, "1009");
    send(5, "CallClosedEvent", { ...LINE, ...CALL, reason: 0 });
    t.match(events.at(-1), { type: "CallClosed", lineName: "1001" });
    t.equal(s.legs.size, 0);
    send(6, "NewCallEvent", { ...LINE, ...CALL, state: 2 });
    send(7, "LineClosedEvent", { ...LINE, reason: 1 });
    t.match(events.at(-1), { type: "LineClosed", lineName: "1001", reason: 1 });
    t.equal(s.legs.size, 0, "a closed line takes its legs");
    t.equal(s.lines.size, 0);
});

t.test("registration events name the device; device states come from their message ids", async (t) => {
    const { events, send } = setup();
    send(0, "DeviceRegisteredEvent", { deviceInfo: { name: "SEP1" }, reason: 0 });
    send(1, "DeviceLineInfoEvent", { deviceName: "SEP2", deviceRegistrationStatus: 2 });
    send(2, "DeviceLineInfoEvent", { deviceName: "SEP3", deviceRegistrationStatus: 7 });
    t.match(events, [
        { type: "DeviceRegistered", deviceName: "SEP1", source: "DeviceRegisteredEvent" },
        { type: "DeviceUnregistered", deviceName: "SEP2", source: "DeviceLineInfoEvent" },
    ]);
    t.equal(events.length, 2);
});

t.test("pending requests are bounded", async (t) => {
    const { s, send } = setup({ maxEntriesPerSession: 2 });
    for (let i = 0; i < 5; i++) send(i, "DeviceOpenRequest", { sequenceNumber: i, deviceName: `SEP${i}` });
    t.same([...s.pending.keys()], [3, 4]);
});
