import { request } from "node:http";
import { connect } from "node:net";
import t from "tap";
import { loadDictionariesSync } from "../../src/phone/dictionary.js";
import { type BoxAction, PhoneHttpService, type Ticket } from "../../src/phone/http.js";

const locales = loadDictionariesSync();

/** GET from a chosen local address, as the phone at that address would. */
function get(url: string, from: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(url, { localAddress: from, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({
                    status: res.statusCode ?? 0,
                    type: String(res.headers["content-type"]),
                    body: Buffer.concat(chunks).toString("latin1"),
                }),
            );
        });
        req.on("error", reject);
        req.end();
    });
}

async function setup(t: { teardown: (fn: () => unknown) => void }, now = () => 1_000_000) {
    const actions: Array<[string, BoxAction]> = [];
    const refused: string[] = [];
    const svc = new PhoneHttpService({
        host: "127.0.0.1",
        port: 0,
        locales,
        defaultLocale: "en_US",
        now,
        onAction: (ticket: Ticket, action) => {
            actions.push([ticket.ref ?? "", action]);
            return action === "cancel"
                ? { kind: "cancelled", params: { dn: ticket.params?.dn } }
                : { kind: "activated", params: { dn: "1003" }, actions: ["cancel"], ref: "req-2" };
        },
        onRequest: (i) => i.reason && refused.push(i.reason),
    });
    await svc.start();
    t.teardown(() => svc.stop());
    return { svc, actions, refused };
}

t.test("a phone fetches its screen and presses Cancel; only that phone may", async (t) => {
    const { svc, actions, refused } = await setup(t);
    const { url, token } = svc.issue({
        device: "SEP001122334455",
        phoneIp: "127.0.1.7",
        kind: "activated",
        params: { dn: "1002" },
        actions: ["cancel"],
        ref: "req-1",
    });
    t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/cb\/s\/[A-Za-z0-9_-]{22}$/);
    const page = await get(url, "127.0.1.7");
    t.equal(page.status, 200);
    t.equal(page.type, "text/xml; charset=ISO-8859-1");
    t.match(
        page.body,
        /Call Back is activated on 1002\. Press Cancel to deactivate\. Press Exit to quit this screen\./,
    );
    t.match(page.body, new RegExp(`/cb/a/${token}/cancel`));

    const stranger = await get(url, "127.0.1.8");
    t.equal(stranger.status, 403, "another phone's address is refused");
    const forged = await get(`${svc.baseUrl}/cb/a/${token}/cancel`, "127.0.1.9");
    t.equal(forged.status, 403);
    t.same(actions, [], "and nothing happened");

    const bad = await get(`${svc.baseUrl}/cb/a/${token}/ok`, "127.0.1.7");
    t.equal(bad.status, 400, "an action the screen does not offer");
    const guessed = await get(`${svc.baseUrl}/cb/a/${"A".repeat(22)}/cancel`, "127.0.1.7");
    t.equal(guessed.status, 404, "a token that was never issued");
    t.equal((await get(`${svc.baseUrl}/other`, "127.0.1.7")).status, 404);

    const cancel = await get(`${svc.baseUrl}/cb/a/${token}/cancel`, "127.0.1.7");
    t.equal(cancel.status, 200);
    t.same(actions, [["req-1", "cancel"]]);
    t.match(cancel.body, /1002/);
    t.same(refused, [
        "request from another address than the phone's",
        "request from another address than the phone's",
        "action not offered by this screen",
        "unknown or expired token",
        "no such page",
    ]);
    t.equal(svc.stats.refused, 5);
    t.notMatch(JSON.stringify(refused), token, "tokens never reach the request log");
});

t.test("OK leads to a new screen with its own Cancel ticket", async (t) => {
    const { svc, actions } = await setup(t);
    const { token } = svc.issue({
        device: "SEP1",
        phoneIp: "127.0.1.10",
        kind: "alreadyActive",
        params: { dn: "1002", dn2: "1003" },
        actions: ["ok"],
        ref: "req-1",
    });
    const ok = await get(`${svc.baseUrl}/cb/a/${token}/ok`, "127.0.1.10");
    t.equal(ok.status, 200);
    t.same(actions, [["req-1", "ok"]]);
    const next = /\/cb\/a\/([A-Za-z0-9_-]{22})\/cancel/.exec(ok.body)?.[1];
    t.ok(next !== undefined && next !== token, "a fresh ticket for the new screen");
    t.match(ok.body, /Call Back is activated on 1003/);
    svc.revoke("req-2");
    t.equal((await get(`${svc.baseUrl}/cb/a/${next}/cancel`, "127.0.1.10")).status, 404, "revoked with its request");
});

t.test("screens follow the phone's language, tickets expire", async (t) => {
    let now = 5_000;
    const { svc } = await setup(t, () => now);
    const { url } = svc.issue({ device: "SEP2", phoneIp: "127.0.1.11", kind: "notActive" });
    const de = await get(url, "127.0.1.11", { "Accept-Language": "de-DE,de;q=0.9" });
    t.equal(de.status, 200);
    t.notMatch(de.body, /Call Back is not active/, "not the English text");
    const ja = await get(url, "127.0.1.11", { "Accept-Language": "ja", "x-CiscoIPPhoneModelName": "CP-7960G" });
    t.match(ja.type, /ISO-8859-1/, "a 7960 cannot show Japanese: English");
    now += 3 * 3600_000;
    t.equal((await get(url, "127.0.1.11")).status, 404, "expired");
});

t.test("a second service on a taken port fails with a typed error", async (t) => {
    const { svc } = await setup(t);
    const port = Number(new URL(svc.baseUrl).port);
    const other = new PhoneHttpService({
        host: "127.0.0.1",
        port,
        locales,
        defaultLocale: "en_US",
        onAction: () => ({ kind: "cancelled" }),
    });
    await t.rejects(other.start(), { code: "HTTP_LISTEN" });
});

t.test("a port out of range is a typed error, not a crash (issue T item 2)", async (t) => {
    const svc = new PhoneHttpService({
        host: "127.0.0.1",
        port: 70000,
        locales,
        defaultLocale: "en_US",
        onAction: () => ({ kind: "cancelled" }),
    });
    await t.rejects(svc.start(), { code: "HTTP_LISTEN", message: /cannot listen on 127\.0\.0\.1:70000/ });
});

/** Sends raw bytes to the service and resolves with what came back when the server closed the connection. */
function raw(port: number, text: string, end = true): Promise<string> {
    return new Promise((resolve, reject) => {
        const sock = connect(port, "127.0.0.1", () => {
            sock.write(text);
            if (end) sock.end();
        });
        let got = "";
        sock.on("data", (b: Buffer) => (got += b.toString("latin1")));
        sock.on("close", () => resolve(got));
        sock.on("error", reject);
    });
}

t.test("a token in a malformed request target never reaches the log (issue T item 12)", async (t) => {
    const logged: string[] = [];
    const withLog = new PhoneHttpService({
        host: "127.0.0.1",
        port: 0,
        locales,
        defaultLocale: "en_US",
        onAction: () => ({ kind: "cancelled" }),
        onRequest: (i) => logged.push(JSON.stringify(i)),
    });
    await withLog.start();
    t.teardown(() => withLog.stop());
    const { token } = withLog.issue({ device: "SEP1", phoneIp: "127.0.1.20", kind: "notActive" });
    const port = Number(new URL(withLog.baseUrl).port);
    for (const target of [`//cb/s/${token}`, `/x/${token}`, `/${token}`, `//${token}/cb`, `/cb/${token}/s`]) {
        await raw(port, `GET ${target} HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n`);
    }
    t.equal(logged.length, 5);
    t.notMatch(logged.join("\n"), token, "no token in any log record");
    t.match(logged[0], /"path":"s\/\*"/);
});

// The test's own timeout is the check: with Node's default (a look every 30 s) the connection outlives it.
t.test("the header and request timeouts are what they say (issue T item 12)", { timeout: 15_000 }, async (t) => {
    const svc = new PhoneHttpService({
        host: "127.0.0.1",
        port: 0,
        locales,
        defaultLocale: "en_US",
        onAction: () => ({ kind: "cancelled" }),
        headersTimeoutMs: 300,
        requestTimeoutMs: 400,
    });
    await svc.start();
    t.teardown(() => svc.stop());
    const port = Number(new URL(svc.baseUrl).port);
    // headers never finished: Node's default check every 30 s would keep this open past the test's timeout
    const answer = await raw(port, "GET /cb/s/x HTTP/1.1\r\nHost: box\r\n", false);
    t.match(answer, /^HTTP\/1\.1 408 /, "closed with 408 Request Timeout");
});
