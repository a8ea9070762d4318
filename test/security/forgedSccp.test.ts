/**
 * Security: what a forged SCCP stream on the mirror port can do, and what limits it (docs/SECURITY.md).
 * The box cannot tell a forged phone from a real one: here the "forged" phones are simulated phones like
 * any other, and their CallBack presses do create requests. The limits hold: a called number queues at
 * most `maxQueuePerCallee` requests, the box holds at most `maxRequests` (then refuses and raises
 * callback.capacity), and every screen goes only to the address the pressing device was seen at.
 */
import t from "tap";
import { startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";

t.test(
    "forged presses: bounded queue and total, pushes only to the pressing device",
    { skip: needTool("xmllint", "libxml2-utils") },
    async (t) => {
        const alarms: string[] = [];
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }, { dn: "1006" }],
            { callback: { maxQueuePerCallee: 2, maxRequests: 3 } },
            undefined,
            false,
            { onAlarm: (id, action) => alarms.push(`${action} ${id}`) },
        );
        t.teardown(() => o.stop());
        // 1001 talks with 1002; the "forged" phones 1003..1005 each call 1001, hear busy and press CallBack.
        await o.branch.call("1001", "1002");
        await o.branch.answer("1002");
        for (const dn of ["1003", "1004", "1005"]) {
            await o.branch.call(dn, "1001");
            await o.until(() => o.branch.phone(dn).tone === 0x23, `busy on ${dn}`);
            await o.branch.press(dn, "CallBack");
            await o.until(() => o.screenTexts(dn).length > 0, `a screen on ${dn}`);
            await o.branch.hangUp(dn);
        }
        t.same(
            o.service.state.requests.map((r) => r.caller.dn),
            ["1003", "1004"],
            "two requests queue for 1001 (maxQueuePerCallee), the third is refused",
        );
        t.notMatch(o.screenTexts("1005").join(" "), /activated/, "1005 was not told it is activated");
        // A third request for another number fits (maxRequests 3), a fourth does not and raises the alarm.
        await o.branch.call("1005", "1002");
        await o.until(() => o.branch.phone("1005").tone === 0x23, "busy on 1005");
        await o.branch.press("1005", "CallBack");
        await o.until(() => o.service.state.requests.length === 3, "the third request");
        await o.branch.hangUp("1005");
        await o.branch.call("1006", "1002");
        await o.until(() => o.branch.phone("1006").tone === 0x23, "busy on 1006");
        await o.branch.press("1006", "CallBack");
        await o.until(() => o.screenTexts("1006").length > 0, "a screen on 1006");
        t.equal(o.service.state.requests.length, 3, "maxRequests holds");
        t.ok(alarms.includes("raise callback.capacity"), "callback.capacity raised");

        // Screens went only to the devices that pressed, at the address they were seen at.
        for (const dn of ["1001", "1002"]) {
            const xsi = o.xsi.get(o.branch.phone(dn).ip)!;
            t.equal(xsi.pushes.length, 0, `no push to ${dn}, which pressed nothing`);
        }
        for (const dn of ["1003", "1004", "1005", "1006"]) {
            const ip = o.branch.phone(dn).ip;
            const xsi = o.xsi.get(ip)!;
            t.ok(xsi.pushes.length > 0, `${dn} got its screens`);
            t.ok(
                xsi.pushes.every((p) => p.httpStatus === 200),
                `${dn}: pushes accepted with the push credentials`,
            );
        }
    },
);
