/**
 * The seed's called-device list, enforced through the real cluster model and its engine view: a device type
 * learned at registration decides whether Call Back may be activated on it (the list ends with "Cisco SCCP
 * Phone", so any station may be called; media resources, gateways, trunks and application ports may not),
 * and whether the phone takes XSI pushes. One subtest per listed type.
 */
import t from "tap";
import { CallBackEngine } from "../../src/callback/engine.js";
import { initialState } from "../../src/callback/state.js";
import type { EngineEffect } from "../../src/callback/types.js";
import { callBackTargetOf, NOT_CALLED_TYPES, takesXsiPush } from "../../src/sccp/tables/deviceRoles.js";
import { CALLBACK_MODELS } from "../../src/sccp/tables/deviceTypes.js";
import { ModelClusterView } from "../../src/service/clusterView.js";
import { Harness } from "../cluster/helpers.js";

const T = 1000;

/** A 7960 (1000) presses CallBack while hearing busy on 2000, a device of `deviceType` (null: registration not seen). */
function pressOn(deviceType: number | null): { effects: EngineEffect[]; view: ModelClusterView } {
    const h = new Harness();
    h.register({ name: "SEP000000001000", ip: "10.0.0.10", dns: ["1000"], deviceType: 7 }, T);
    if (deviceType === null) {
        // learned from traffic only: a line status on a connection whose registration was not captured
        h.link("10.0.0.20", "10.0.0.1", { midstream: true }).down(T, "LineStatRes", {
            lineNumber: 1,
            lineDirNumber: "2000",
            lineFullyQualifiedDisplayName: "Callee",
            lineTextLabel: "2000",
            lineDisplayOptions: 9,
        });
    } else {
        h.register({ name: "SEP000000002000", ip: "10.0.0.20", dns: ["2000"], deviceType }, T);
    }
    const view = new ModelClusterView(h.model, () => T * 1000);
    const engine = new CallBackEngine();
    const { effects } = engine.handle(
        initialState(),
        {
            type: "CallBackPressed",
            t: T,
            device: "SEP000000001000",
            name: "SEP000000001000",
            ip: "10.0.0.10",
            line: 1,
            callerDn: "1000",
            callRef: 16777217,
            callState: 6,
            callStateName: "Busy",
            calledDn: "2000",
            partyDn: "2000",
            tone: 0x23,
            toneName: "LineBusyTone",
            trigger: "busy",
            source: "softkey",
            softKeySet: 8,
        },
        T * 1000,
        view,
    );
    return { effects, view };
}

function accepted(effects: EngineEffect[]): boolean {
    return effects.some((e) => e.type === "Persist");
}

for (const m of CALLBACK_MODELS) {
    // "Cisco SCCP Phone" has no code of its own: any other station, e.g. a 7961
    const codes = m.codes.length > 0 ? m.codes : [30018, 434];
    for (const code of codes) {
        t.test(`called device ${m.model} (type ${code}): Call Back can be activated on it`, async (t) => {
            const { effects } = pressOn(code);
            t.ok(accepted(effects), "a request is made");
            t.notOk(
                effects.some((e) => e.type === "ShowScreen"),
                "no refusal screen",
            );
            t.equal(callBackTargetOf(code), true);
            t.equal(
                takesXsiPush(code),
                m.role === "softkey" || m.codes.length === 0,
                m.role === "softkey" || m.codes.length === 0 ? "takes XSI pushes" : "no XML services: never pushed to",
            );
        });
    }
}

t.test("a called device of unknown type (registration not seen): allowed", async (t) => {
    const { effects, view } = pressOn(null);
    t.equal(view.device(view.devicesOfDn("2000")[0] ?? "")?.callBackTarget, null);
    t.ok(accepted(effects));
});

for (const [code, what] of [
    [50, "conference bridge"],
    [70, "music on hold"],
    [80, "voice-mail port"],
    [72, "CTI port"],
    [30, "analog access gateway"],
    [110, "media termination point"],
] as const) {
    t.test(`called device ${what} (type ${code}): Call Back cannot be invoked`, async (t) => {
        t.ok(NOT_CALLED_TYPES.has(code));
        const { effects } = pressOn(code);
        t.notOk(accepted(effects), "no request");
        const s = effects.find((e) => e.type === "ShowScreen");
        t.match(s, { kind: "cannotInvoke", params: { dn: "2000" }, why: "called device type" });
        t.equal(takesXsiPush(code), false);
    });
}

t.test("unknown type: neither refused as called device nor kept from pushes", async (t) => {
    t.equal(callBackTargetOf(null), null);
    t.equal(takesXsiPush(null), null);
    t.equal(callBackTargetOf(99999), true, "a code no table knows: an SCCP station");
});
