/**
 * The seed's remaining abnormal screens and the Table 4-1 rows, end to end with the simulated office
 * (mirror frames, manual clock): number not in this cluster, already active → OK
 * replaces, a calling phone model without Call Back, and callees with Call Forward Busy / No Answer or
 * Call Waiting, whose requests activate and are served.
 */
import t from "tap";
import { Stimulus } from "../../src/sim/ids.js";
import { needTool } from "../helpers/tools.js";
import { activated, available, busyPress, startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

t.test("a number that is not in this cluster: CallBack cannot be activated", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }]);
    t.teardown(() => o.stop());
    // The CallManager answers an unknown number with reorder; the dialled digits are the called number.
    await o.branch.call("1001", "2999");
    await o.until(() => o.branch.phone("1001").tone === 0x25, "1001 hears reorder");
    await o.branch.press("1001", "CallBack", { force: true });
    await o.until(
        () => o.screenTexts("1001").includes("CallBack cannot be activated for 2999."),
        "the not-found screen",
    );
    t.equal(o.service.state.requests.length, 0, "no request");
});

// "Service not available." because no CallManager link is observed cannot be produced through the mirror: a
// press seen on the wire is itself traffic on a CallManager link, which the model marks up ("traffic") before
// the press is decoded (the engine's unit tests cover it). The CTI-required variant can: the simulated office
// has no CTIManager, so with cti.required the CTI link is never up.
t.test("CTI required and the CTI link down: Service not available.", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], { cti: { required: true } });
    t.teardown(() => o.stop());
    await busyPress(o, "1003", "1002", "1001");
    await o.until(() => o.screenTexts("1003").includes("Service not available."), "the service-not-available screen");
    t.not(o.service.model.ctiStatus().status, "up", "no CTI link observed");
    t.equal(o.service.state.requests.length, 0, "no request");
});

t.test("already active on one number: OK replaces it with the new one", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }]);
    t.teardown(() => o.stop());
    await busyPress(o, "1003", "1002", "1001");
    await o.until(() => o.screenTexts("1003").includes(activated("1002")), "activated on 1002");
    const first = o.service.state.requests[0]!;
    await o.branch.hangUp("1003");
    // 1005 is busy with 1004; 1003 asks for it as well.
    await busyPress(o, "1003", "1005", "1004");
    const offer = "CallBack is already active on 1002. Press OK to activate on 1005. Press Exit to quit this screen.";
    await o.until(() => o.screenTexts("1003").includes(offer), "the already-active screen");
    const phone = o.xsi.get(o.branch.phone("1003").ip)!;
    t.same(
        phone.current()!.softKeys.map((k) => k.name),
        ["OK", "Exit"],
        "OK and Exit",
    );
    t.equal(o.service.state.requests.length, 1, "nothing changes before OK");
    await phone.pressSoftKey("OK");
    await o.until(() => o.screenTexts("1003").includes(activated("1005")), "activated on 1005");
    const ended = o.seen.find((e) => e.type === "RequestEnded" && e.id === first.id);
    t.equal(ended?.type === "RequestEnded" ? ended.reason : null, "replaced", "the old request ended: replaced");
    t.same(
        o.service.state.requests.map((r) => [r.calledDn, r.phase]),
        [["1005", "waiting"]],
        "the new request is active",
    );
});

t.test(
    "a phone without XML services (7910) presses CallBack: never pushed to, traced and counted",
    { skip },
    async (t) => {
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003", model: "7910" }]);
        t.teardown(() => o.stop());
        await o.branch.call("1001", "1002");
        await o.branch.answer("1002");
        await o.branch.call("1003", "1002");
        await o.until(() => o.branch.phone("1003").tone === 0x23, "1003 hears busy");
        // A 7910 has no softkeys: a CallBack feature button (Stimulus) is what such a phone could send.
        o.branch.phone("1003").pressButton(Stimulus.CallBack);
        await o.branch.settle();
        await o.until(() => o.service.counters.pressesIgnored === 1, "the press to be counted");
        t.match(o.service.model.device(o.branch.phone("1003").deviceName)?.model ?? "", /7910/);
        const ignored = o.seen.find((e) => e.type === "PressIgnored");
        t.match(ignored, { calledDn: "1002", why: /no XSI pushes/ }, "traced with its reason");
        await o.branch.advance(5_000);
        t.same(o.screenTexts("1003"), [], "no screen pushed: a 7910 has no web server");
        t.notOk(
            o.seen.some((e) => e.type === "ShowScreen" || e.type === "Notify"),
            "nothing addressed to it",
        );
        t.equal(o.service.state.requests.length, 0, "no request");
    },
);

t.test("Table 4-1: Call Forward Busy and Call Forward No Answer on the callee are supported", { skip }, async (t) => {
    const o = await startOffice([
        { dn: "1001" },
        { dn: "1002", forward: { busy: "1004", noAnswer: "1004" } },
        { dn: "1003" },
        { dn: "1004" },
        { dn: "1005" },
    ]);
    t.teardown(() => o.stop());
    // The forward target is busy too: 1003 hears busy, and the request is on the number it called.
    await o.branch.call("1005", "1004");
    await o.branch.answer("1004");
    await busyPress(o, "1003", "1002", "1001");
    await o.until(() => o.screenTexts("1003").includes(activated("1002")), "activated on 1002");
    t.equal(o.service.model.dn("1002").forwarding?.busy, "1004", "the model learned Call Forward Busy");
    t.equal(o.service.state.requests[0]?.calledDn, "1002");
    await o.branch.hangUp("1003");
    await o.branch.hangUp("1002");
    await o.until(() => available(o, "1003", "1002"), "1003 notified");
    t.same(o.xsi.get(o.branch.phone("1003").ip)!.sounds, ["CallBack.raw"], "twinkle");
});

t.test("Table 4-1: Call Waiting on the callee is supported (ringback → no-answer request)", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002", busyTrigger: 2 }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    // 1002 takes a second call: 1003 hears ringback while 1002 is on its first call.
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x24, "1003 hears ringback");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.screenTexts("1003").includes(activated("1002")), "activated on 1002");
    t.equal(o.service.state.requests[0]?.trigger, "no-answer");
    await o.branch.hangUp("1003");
    await o.branch.hangUp("1002");
    await o.until(() => available(o, "1003", "1002"), "1003 notified");
    t.pass("served");
});
