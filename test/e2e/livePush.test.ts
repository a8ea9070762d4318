/**
 * Push settings are live keys (issue T item 3): `set-parameter phones.pushPassword` answers
 * requiresRestart:false, and the very next push uses the new password (the push client used to be built
 * once at start and kept the old one).
 */
import t from "tap";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { needTool } from "../helpers/tools.js";
import { PUSH_PASSWORD, PUSH_USER, startOffice, XSI_PORT } from "./helpers.js";

const NOT_ACTIVE = "Call Back is not active. Press Exit to quit this screen.";

t.test(
    "a new push password takes effect without a restart",
    { skip: needTool("xmllint", "libxml2-utils") },
    async (t) => {
        const alarms: string[] = [];
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }],
            {
                phones: {
                    pushUser: PUSH_USER,
                    pushPassword: "wrong-password",
                    pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute`,
                },
            },
            undefined,
            false,
            { onAlarm: (id, action) => alarms.push(`${action} ${id}`) },
        );
        t.teardown(() => o.stop());
        const before = o.service.push;
        await o.branch.press("1001", "CallBack");
        await o.until(() => alarms.includes("raise phone.push-credentials"), "the phone to refuse the push");
        t.same(o.screenTexts("1001"), [], "nothing shown with the wrong password");

        const cc = new ConfigControl({ boot: o.service.config, apply: (next) => o.service.configurePush(next.phones) });
        const r = await cc.setParameter("phones.pushPassword", PUSH_PASSWORD);
        t.match(r, { changed: true, requiresRestart: false, pending: false, value: "[Redacted]" });
        t.not(o.service.push, before, "a new push client");

        await o.branch.press("1001", "CallBack");
        await o.until(() => o.screenTexts("1001").includes(NOT_ACTIVE), "the screen pushed with the new password");
        await o.until(() => alarms.includes("clear phone.push-credentials"), "the alarm to clear");

        // the same for the user and the URL: unchanged settings keep the client
        const same = o.service.push;
        o.service.configurePush(cc.current.phones);
        t.equal(o.service.push, same, "unchanged push settings keep the client");
        await cc.setParameter("phones.pushUser", null);
        t.equal(o.service.push, null, "no push user: no client");
    },
);

t.test(
    "no push user: the alarm says nothing was sent, and to which phone (issue T item 11)",
    { skip: needTool("xmllint", "libxml2-utils") },
    async (t) => {
        const alarms: Array<[string, string, string]> = [];
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }],
            { phones: { pushUser: null, pushPassword: null, pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute` } },
            undefined,
            false,
            { onAlarm: (id, action, details) => alarms.push([id, action, details]) },
        );
        t.teardown(() => o.stop());
        await o.branch.press("1001", "CallBack");
        await o.until(() => alarms.some(([id]) => id === "phone.push-not-configured"), "the alarm");
        const [, action, details] = alarms.find(([id]) => id === "phone.push-not-configured")!;
        t.equal(action, "raise");
        t.match(details, /^nothing pushed to SEP[0-9A-F]{12}: phones\.pushUser\/pushPassword are not configured$/);
        t.notOk(
            alarms.some(([id]) => id === "phone.push-credentials"),
            "no phone refused anything",
        );
    },
);
