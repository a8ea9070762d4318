/**
 * The feature end to end: a simulated branch office (CallManager and phones over real TCP on loopback,
 * each phone with its XSI service), the Call Back service fed with the traffic, real pushes and real
 * screen fetches over HTTP. The seed's normal scenario and its abnormal screens.
 */
import t from "tap";
import { needTool } from "../helpers/tools.js";
import { type Office, startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

const ACTIVATED = "Call Back is activated on 1002. Press Cancel to deactivate. Press Exit to quit this screen.";

async function busyCallBack(o: Office, caller = "1003", callee = "1002"): Promise<void> {
    // The callee is busy on a call with 1001; the caller calls it, hears busy, presses CallBack.
    await o.branch.call("1001", callee);
    await o.branch.answer(callee);
    await o.branch.call(caller, callee);
    await o.until(() => o.branch.phone(caller).tone === 0x23, "the busy tone");
    await o.branch.press(caller, "CallBack");
}

t.test(
    "A→B busy, A presses CallBack, B hangs up: A gets the twinkle and the screen, and dials",
    { skip },
    async (t) => {
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
        t.teardown(() => o.stop());
        await busyCallBack(o);
        await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "the activated screen on 1003");
        t.ok(
            o.seen.findIndex((e) => e.type === "Persist") <
                o.seen.findIndex((e) => e.type === "ShowScreen" && e.kind === "activated"),
            "the request was made durable before the screen",
        );
        // The caller hangs up; later the callee's call ends.
        await o.branch.hangUp("1003");
        await o.branch.hangUp("1002");
        await o.until(
            () => o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
            "the notification on 1003",
        );
        const phone = o.xsi.get(o.branch.phone("1003").ip)!;
        t.same(phone.sounds, ["CallBack.raw"], "the twinkle played");
        const screen = phone.current()!;
        t.match(
            screen.text,
            /^1002 has become available Time \d\d:\d\d \d\d\/\d\d\/\d\d\. Press Dial to Call\. Press Exit to quit this screen\.$/,
        );
        t.same(
            screen.softKeys.map((k) => k.name),
            ["Dial", "Exit"],
        );
        await phone.pressSoftKey("Dial");
        await o.until(
            () => o.seen.some((e) => e.type === "RequestEnded" && e.reason === "completed"),
            "the request to end",
        );
        t.equal(o.service.state.requests.length, 0);
    },
);

t.test("the idle press without a request: Call Back is not active", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }]);
    t.teardown(() => o.stop());
    // Idle press without a request: "Call Back is not active."
    await o.branch.press("1001", "CallBack");
    await o.until(
        () => o.screenTexts("1001").includes("Call Back is not active. Press Exit to quit this screen."),
        "the not-active screen",
    );
    t.pass("idle press answered");
});

t.test("A and C both request B: A is notified first, C after the protection window", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }], {
        callback: { protectionWindowMs: 20_000 },
    });
    t.teardown(() => o.stop());
    await busyCallBack(o, "1003");
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "1003 activated");
    await o.branch.hangUp("1003");
    await o.branch.call("1004", "1002");
    await o.until(() => o.branch.phone("1004").tone === 0x23, "1004 hears busy");
    await o.branch.press("1004", "CallBack");
    await o.until(() => o.screenTexts("1004").includes(ACTIVATED), "1004 activated");
    await o.branch.hangUp("1004");
    await o.branch.hangUp("1002");
    const notified = (dn: string) => o.screenTexts(dn).some((s) => s.startsWith("1002 has become available"));
    await o.until(() => notified("1003"), "the first requester's notification");
    t.notOk(notified("1004"), "the second requester waits");
    const first = o.clock.now();
    await o.until(() => notified("1004"), "the second requester's notification");
    t.ok(o.clock.now() - first >= 19_000, "after the protection window");
});

t.test(
    "cancel from the phone after an idle press; Call Forward All on the callee cannot be invoked",
    { skip },
    async (t) => {
        const o = await startOffice([
            { dn: "1001" },
            { dn: "1002", forward: { all: "1001" } },
            { dn: "1003" },
            { dn: "1004" },
        ]);
        t.teardown(() => o.stop());
        // 1002 forwards all calls: Call Back cannot be invoked for it (Table 4-1).
        await o.branch.call("1001", "1004");
        await o.branch.answer("1004");
        await o.branch.call("1003", "1004");
        await o.until(() => o.branch.phone("1003").tone === 0x23, "1003 hears busy");
        await o.branch.press("1003", "CallBack");
        await o.until(
            () =>
                o
                    .screenTexts("1003")
                    .includes(
                        "Call Back is activated on 1004. Press Cancel to deactivate. Press Exit to quit this screen.",
                    ),
            "1003 activated on 1004",
        );
        await o.branch.hangUp("1003");
        // Idle press: the active request is shown again with Cancel; pressing Cancel ends it.
        await o.branch.press("1003", "CallBack");
        const phone = o.xsi.get(o.branch.phone("1003").ip)!;
        await o.until(
            () => o.screenTexts("1003").filter((s) => s.includes("activated on 1004")).length >= 2,
            "the screen again",
        );
        await phone.pressSoftKey("Cancel");
        await o.until(
            () => o.seen.some((e) => e.type === "RequestEnded" && e.reason === "cancelled-phone"),
            "the cancel",
        );
        t.equal(o.service.state.requests.length, 0, "cancelled from the phone");
        // Forward All on the called number: 1003 calls 1002, forwarded to 1001, which is busy.
        t.equal(o.service.model.dn("1002").forwarding?.all, "1001", "the model learned Call Forward All");
        await o.branch.call("1003", "1002");
        await o.until(() => o.branch.phone("1003").tone === 0x23, "1003 hears busy (forwarded to a busy phone)");
        await o.branch.press("1003", "CallBack");
        await o.until(
            () => o.screenTexts("1003").some((s) => s.startsWith("Call Back cannot be invoked for extension")),
            "the cannot-be-invoked screen",
        );
        t.ok(
            o
                .screenTexts("1003")
                .includes("Call Back cannot be invoked for extension 1002. Press Exit to quit this screen."),
        );
    },
);

t.test("a restart loses nothing: a pending call-back survives and is served after it", { skip }, async (t) => {
    const { MemoryFlashFs } = await import("../../src/store/flashFs.js");
    const fs = new MemoryFlashFs();
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {}, fs);
    t.teardown(() => o.stop());
    await busyCallBack(o);
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "activated");
    await o.branch.hangUp("1003");
    // Power cut: what was acknowledged to the phone is on flash.
    fs.crash();
    await o.service.stop();
    const { CallbackService } = await import("../../src/service/callbackService.js");
    const restarted = new CallbackService({ config: o.service.config, fs, timeMode: "capture" });
    const { restored } = await restarted.start();
    t.equal(restored, 1, "the request came back from flash");
    t.equal(restarted.state.requests[0]?.calledDn, "1002");
    await restarted.stop();
});
