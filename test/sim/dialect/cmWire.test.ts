/** What the CallManager sends, per generation: the message chosen, its header version, and that it encodes. */
import t from "tap";
import { CmWire } from "../../../src/sim/dialect/cmWire.js";
import { localTime } from "../../../src/sim/dialect/localTime.js";
import { CallState } from "../../../src/sim/types.js";
import { codecSession } from "../helpers/wire.js";

const INFO = {
    callingPartyName: "Alice",
    callingParty: "1001",
    calledPartyName: "Bob",
    calledParty: "1002",
    lineInstance: 1,
    callReference: 7,
    callType: 2,
    originalCalledPartyName: "Bob",
    originalCalledParty: "1002",
    lastRedirectingPartyName: "Bob",
    lastRedirectingParty: "1002",
    originalCdpnRedirectReason: 0,
    lastRedirectingReason: 0,
    callInstance: 1,
    callSecurityStatus: 0,
};

function burst(gen: "cm2" | "cm4" | "v20") {
    const { session, got } = codecSession();
    const w = new CmWire(session, gen);
    w.registerAck(30, "M/D/Y", 60, gen === "v20" ? 20 : 6);
    w.callState(CallState.RingOut, 1, 7);
    w.prompt("\u0080\u001f", 1, 7);
    w.notify(0, "hi");
    w.callInfo(INFO);
    w.selectSoftKeys(1, 7, 8);
    w.forwardStat(1, { all: "1009", busy: "", noAnswer: "" });
    w.lineStat(1, "1001", "Alice", "1001");
    w.timeDate(localTime(Date.UTC(2024, 0, 2, 3, 4, 5), "UTC"));
    w.keepAliveAck();
    return got;
}

t.test("a CM 4.x link: static bodies, header version 0 for registration and keepalive", async (t) => {
    const got = burst("cm4");
    t.same(
        got.map((m) => m.name),
        [
            "RegisterAck",
            "CallState",
            "DisplayPromptStatus",
            "DisplayNotify",
            "CallInfo",
            "SelectSoftKeys",
            "ForwardStatRes",
            "LineStatRes",
            "TimeDateRes",
            "KeepAliveAck",
        ],
    );
    t.match(got[4]?.fields, { callingParty: "1001", calledParty: "1002", callReference: 7 });
    t.match(got[6]?.fields, { forwardAllActive: 1, forwardAllNumber: "1009" });
    t.match(got[8]?.fields, { wYear: 2024, wMonth: 1, wDay: 2, wHour: 3 });
    t.equal(got[0]?.hv, 0);
    t.equal(got.at(-1)?.hv, 0);
});

t.test("a V20 link: the V2 messages and a non-zero header version", async (t) => {
    const got = burst("v20");
    t.ok(got.some((m) => m.name === "CallInfoV2"));
    t.ok(got.some((m) => m.name === "DisplayPromptStatusV2"));
    t.ok(got.some((m) => m.name === "DisplayNotifyV2"));
    t.ok((got[1]?.hv ?? 0) > 0);
    t.match(got.find((m) => m.name === "CallInfoV2")?.fields, { callingParty: "1001" });
});

t.test("a CallManager 2.x link: no CallState, softkeys or forwarding; text instead of prompts", async (t) => {
    const names = burst("cm2").map((m) => m.name);
    t.notOk(names.includes("CallState"));
    t.notOk(names.includes("SelectSoftKeys"));
    t.ok(names.includes("DisplayText"));
    t.ok(names.includes("CallInfo"));
});
