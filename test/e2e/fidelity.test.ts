/**
 * Issue Q end to end, with the simulated office (mirror frames, manual clock), its CTIManager and a CTI
 * application on loopback: a callee the box cannot observe, a callee known only from CTI line events,
 * the CTI link going down and up with cti.required on and off, the softkey states where CallBack appears,
 * and callback.mode observe.
 */
import t from "tap";
import { serviceApi } from "../../src/service/serviceApi.js";
import { Msg } from "../../src/sim/ids.js";
import { SoftKeySet } from "../../src/sim/types.js";
import { needTool } from "../helpers/tools.js";
import { activated, available, busyPress, startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

t.test(
    "a callee the box cannot observe (directory only, not on the mirror): CallBack cannot be activated",
    { skip },
    async (t) => {
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
            { directory: [{ dn: "1002", deviceName: "SEP00AA00BB00CC", model: "Cisco IP Phone 7960" }] },
            undefined,
            false,
            { unmirrored: ["1002"] },
        );
        t.teardown(() => o.stop());
        await busyPress(o, "1001", "1002", "1003");
        await o.until(
            () => o.screenTexts("1001").includes("CallBack cannot be activated for 1002."),
            "the not-found screen",
        );
        t.equal(o.service.model.device(o.branch.phone("1002").deviceName), null, "1002's phone never seen");
        t.ok(o.service.model.isKnownDn("1002"), "known from the directory");
        t.notOk(o.service.model.isObservableDn("1002"), "but not observable");
        t.equal(o.service.state.requests.length, 0, "no request");
        const refusal = o.seen.find((e) => e.type === "ShowScreen" && e.kind === "notFound");
        t.match(refusal, { why: /not observable/ }, "the reason is traced");
    },
);

t.test(
    "a callee known only from CTI line events: activated, and notified when CTI says it is idle",
    { skip },
    async (t) => {
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {}, undefined, false, {
            unmirrored: ["1002"],
            cti: { lines: ["1002"], heartbeatS: 10 },
        });
        t.teardown(() => o.stop());
        t.equal(o.service.model.ctiStatus().status, "up", "the box saw the CTI application's provider open");
        await busyPress(o, "1001", "1002", "1003");
        await o.until(() => o.screenTexts("1001").includes(activated("1002")), "activated on 1002");
        const dn = o.service.model.dn("1002");
        t.match(dn, { state: "busy", stateSource: "cti", devices: [] }, "busy as CTI reports it, no SCCP line");
        t.equal(o.service.model.device(o.branch.phone("1002").deviceName), null, "1002's phone never seen on SCCP");
        t.equal(o.service.state.requests[0]?.trigger, "busy");
        await o.branch.hangUp("1001");
        await o.branch.advance(30_000);
        o.service.tick();
        t.notOk(available(o, "1001", "1002"), "not while 1002 is busy");
        await o.branch.hangUp("1002");
        await o.until(() => available(o, "1001", "1002"), "1001 notified");
        t.equal(o.service.model.dn("1002").state, "idle");
        t.same(o.xsi.get(o.branch.phone("1001").ip)!.sounds, ["CallBack.raw"], "the twinkle");
        t.same(o.cti!.app.errors, [], "the CTI application saw no protocol problem");
        t.same(o.cti!.manager.errors, []);
    },
);

for (const required of [true, false]) {
    t.test(`CTI link down and up again, cti.required ${required}`, { skip }, async (t) => {
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }],
            { cti: { required } },
            undefined,
            false,
            { cti: { lines: ["1002"], heartbeatS: 5 } },
        );
        t.teardown(() => o.stop());
        t.equal(o.service.model.ctiStatus().status, "up");
        await busyPress(o, "1003", "1002", "1001");
        await o.until(() => o.screenTexts("1003").includes(activated("1002")), "activated with the link up");

        // The CTI application hangs: the CTIManager drops it after two heartbeat intervals, and the box sees
        // the session end.
        o.cti!.app.freeze();
        await o.until(() => o.service.model.ctiStatus().status !== "up", "the CTI link down");
        t.equal(o.service.model.ctiStatus().status, "down");
        await o.branch.call("1004", "1002");
        await o.until(() => o.branch.phone("1004").tone === 0x23, "1004 hears busy");
        await o.branch.press("1004", "CallBack");
        if (required) {
            await o.until(() => o.screenTexts("1004").includes("Service not available."), "service not available");
            t.equal(o.service.state.requests.length, 1, "no new request");
            t.match(
                o.seen.find((e) => e.type === "ShowScreen" && e.kind === "serviceUnavailable"),
                { why: "cti.required and the CTI link is not up" },
            );
        } else {
            await o.until(() => o.screenTexts("1004").includes(activated("1002")), "activated: SCCP is enough");
            t.equal(o.service.state.requests.length, 2);
        }

        // A new provider comes up: presses are served again.
        const app = o.cti!.newApp();
        await o.branch.drive(app.start());
        t.equal(o.service.model.ctiStatus().status, "up");
        await o.branch.call("1005", "1002");
        await o.until(() => o.branch.phone("1005").tone === 0x23, "1005 hears busy");
        await o.branch.press("1005", "CallBack");
        await o.until(() => o.screenTexts("1005").includes(activated("1002")), "activated with the link up again");
    });
}

t.test(
    "the softkey states with CallBack: On Hook (status), Ring Out (a request), Connected Transfer (refused)",
    { skip },
    async (t) => {
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }]);
        t.teardown(() => o.stop());
        // On Hook: the idle press keeps its seed meaning
        t.ok(o.branch.phone("1001").softKeys.labels.includes("Callback"), "CallBack on the On Hook set");
        await o.branch.press("1001", "CallBack");
        await o.until(
            () => o.screenTexts("1001").includes("Call Back is not active. Press Exit to quit this screen."),
            "the not-active screen",
        );
        // Ring Out: 1001 hears ringback from 1002 and asks for a call-back
        await o.branch.call("1001", "1002");
        await o.until(() => o.branch.phone("1001").tone === 0x24, "1001 hears ringback");
        t.ok(o.branch.phone("1001").softKeys.labels.includes("Callback"), "CallBack on the Ring Out set");
        await o.branch.press("1001", "CallBack");
        await o.until(() => o.screenTexts("1001").includes(activated("1002")), "activated on 1002");
        t.equal(o.service.state.requests[0]?.trigger, "no-answer");
        await o.branch.hangUp("1001");
        // Connected Transfer: a connected call (CallManager shows the Connected Transfer set) cannot ask for it,
        // on either side of the call
        await o.branch.call("1003", "1004");
        await o.branch.answer("1004");
        for (const [who, other] of [
            ["1003", "1004"],
            ["1004", "1003"],
        ] as const) {
            const name = o.branch.phone(who).deviceName;
            const [line, ref] = o.branch.cm.legsOf(name)[0] ?? [1, 0];
            o.branch.cm.send(name, Msg.SelectSoftKeys, {
                lineInstance: line,
                callReference: ref,
                softKeySetIndex: SoftKeySet.ConnectedTransferable,
                validKeyMask: 0xffffffff,
            });
            await o.branch.settle();
            t.ok(
                o.branch.phone(who).softKeys.labels.includes("Callback"),
                `${who}: CallBack on the Connected Transfer set`,
            );
            await o.branch.press(who, "CallBack");
            const text = `Call Back cannot be invoked for extension ${other}. Press Exit to quit this screen.`;
            await o.until(() => o.screenTexts(who).includes(text), `${who}: cannot be invoked for ${other}`);
        }
        t.equal(o.service.state.requests.length, 1, "only the Ring Out press made a request");
        const refused = o.seen.filter((e) => e.type === "ShowScreen" && e.kind === "cannotInvoke");
        t.match(refused, [{ why: /call state Connected/ }, { why: /call state Connected/ }], "the reason is traced");
    },
);

t.test("callback.mode observe: decisions made and reported, nothing pushed", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], { callback: { mode: "observe" } });
    t.teardown(() => o.stop());
    await busyPress(o, "1003", "1002", "1001");
    await o.until(() => o.service.state.requests[0]?.phase === "waiting", "the request is active");
    await o.branch.hangUp("1003");
    await o.branch.hangUp("1002");
    await o.until(() => o.service.state.requests[0]?.phase === "notified", "the request is notified");
    t.same(o.screenTexts("1003"), [], "no screen pushed");
    t.same(o.xsi.get(o.branch.phone("1003").ip)!.sounds, [], "no twinkle");
    t.ok(
        o.seen.some((e) => e.type === "ShowScreen" && e.kind === "activated"),
        "the activation was decided",
    );
    t.ok(
        o.seen.some((e) => e.type === "Notify"),
        "the notification was decided",
    );
    t.match(o.service.counters, { withheld: 2, pushOk: 0, pushFailed: 0, notifications: 1 });
    const api = serviceApi(o.service);
    t.match(await api.status?.(), { mode: "observe", pushes: { withheld: 2 } }, "reported (MQTT status, console)");
    t.match(await api.listCallbacks({ limit: 10 }), { total: 1, callbacks: [{ calledDn: "1002", phase: "notified" }] });
});
