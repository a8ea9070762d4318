/**
 * Security: the phone-facing HTTP service, through the whole CallbackService. A LAN attacker who knows the
 * box's address tries to act on somebody's call-back: from another address, with no token, a forged, a
 * malformed, a replayed or an expired token, or with an action the screen does not offer. Each gets a clear
 * error screen (a valid CiscoIPPhoneText) and the engine's state does not change.
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import t from "tap";
import { type Office, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";
import { xsdFailures } from "../phone/xmllint.js";

/** The office's XSI phones validate what they are sent with xmllint (and so do the XSD checks here). */
const skipXsd = needTool("xmllint", "libxml2-utils");

/** GET from a chosen local address (each simulated phone has its own 127.0.1.x). */
function get(url: string, from: string) {
    return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = request(url, { localAddress: from }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
        req.end();
    });
}

async function activated(o: Office): Promise<string> {
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    const xsi = o.xsi.get(o.branch.phone("1003").ip)!;
    await o.until(() => xsi.current()?.softKeys.some((k) => k.name === "Cancel") === true, "the activated screen");
    const cancel = xsi.current()!.softKeys.find((k) => k.name === "Cancel")!.url;
    t.match(cancel, /\/cb\/a\/[A-Za-z0-9_-]{22}\/cancel$/);
    return cancel;
}

t.test("forged, foreign, replayed and expired requests change nothing", { skip: skipXsd }, async (t) => {
    // The service reads the clock through Date.now at construction: shift it to expire tickets later.
    const realNow = Date.now;
    let shift = 0;
    Date.now = () => realNow() + shift;
    t.teardown(() => {
        Date.now = realNow;
    });
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    const cancel = await activated(o);
    const phoneIp = o.branch.phone("1003").ip;
    const base = o.service.http.baseUrl;
    const token = /\/cb\/a\/([^/]+)\/cancel$/.exec(cancel)![1]!;
    const before = o.service.state;
    t.equal(before.requests.length, 1);
    const refused: Array<{ name: string; status: number; body: Buffer }> = [];
    const attempt = async (name: string, url: string, from: string, status: number) => {
        const r = await get(url, from);
        t.equal(r.status, status, `${name}: HTTP ${status}`);
        t.match(
            r.body.toString("latin1"),
            /<CiscoIPPhoneText>.*This request is not valid for this phone/s,
            `${name}: error screen`,
        );
        t.same(o.service.state.requests, before.requests, `${name}: the requests are unchanged`);
        refused.push({ name, ...r });
    };
    await attempt("another address", cancel, "127.0.0.1", 403);
    await attempt("another phone's address", cancel, o.branch.phone("1001").ip, 403);
    await attempt("no token", `${base}/cb/a//cancel`, phoneIp, 404);
    await attempt("no token at all", `${base}/cb/a`, phoneIp, 404);
    await attempt("forged token", `${base}/cb/a/${randomBytes(16).toString("base64url")}/cancel`, phoneIp, 404);
    await attempt("malformed token", `${base}/cb/a/${token}%3Cx%3E/cancel`, phoneIp, 404);
    await attempt("token of another length", `${base}/cb/a/${token.slice(1)}/cancel`, phoneIp, 404);
    await attempt("action not offered", `${base}/cb/a/${token}/ok`, phoneIp, 400);
    await attempt("unknown action", `${base}/cb/a/${token}/cancel/x`, phoneIp, 400);
    await attempt("path traversal", `${base}/cb/a/../../etc/passwd`, phoneIp, 404);
    await attempt("other path", `${base}/admin`, phoneIp, 404);

    // Expired: two hours and a bit later the ticket is gone (the request itself lives on).
    shift = 2 * 3600_000 + 1000;
    await attempt("expired token", cancel, phoneIp, 404);
    shift = 0;
    t.equal(o.service.state.requests.length, 1, "the request is still active");

    t.test("the error screens are valid XSI", { skip: skipXsd }, async (t) => {
        t.same(xsdFailures(refused.map((r) => ({ name: r.name, bytes: r.body }))), {});
    });
});

t.test("the phone's own Cancel works once; a replay is refused", { skip: skipXsd }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    const cancel = await activated(o);
    const phoneIp = o.branch.phone("1003").ip;
    const ok = await get(cancel, phoneIp);
    t.equal(ok.status, 200);
    t.match(ok.body.toString("latin1"), /Call Back on 1002 is cancelled/);
    await o.until(() => o.service.state.requests.length === 0, "the request to end");
    t.ok(o.seen.some((e) => e.type === "RequestEnded" && e.reason === "cancelled-phone"));
    const after = o.service.state;
    const replay = await get(cancel, phoneIp);
    t.equal(replay.status, 404, "the ticket was revoked with its request");
    t.same(o.service.state.requests, after.requests, "the replay changed nothing");
    t.equal(o.seen.filter((e) => e.type === "RequestEnded").length, 1);
});
