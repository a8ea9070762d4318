import { createServer } from "node:net";
import { inspect } from "node:util";
import t, { type Test } from "tap";
import { ConfigError } from "../../src/errors.js";
import { MemoryLogger } from "../../src/logging/memory.js";
import {
    backoffDelay,
    checkPushUrlTemplate,
    DEFAULT_PUSH_URL,
    PushClient,
    type PushClientOptions,
    type PushOutcome,
    type PushTarget,
    pushUrl,
} from "../../src/phone/push.js";
import { buildExecute } from "../../src/phone/xsi.js";
import type { Clock } from "../../src/util/clock.js";
import { type Answer, errorResponse, type FakePhone, okResponse, type Received, startFakePhone } from "./fakePhone.js";

const USER = "cbpush";
const PASSWORD = "s3cr3t-P@ss:w0rd";
const CREDENTIAL = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const EXECUTE = buildExecute([
    { url: "Play:CallBack.raw", priority: 0 },
    { url: "http://192.0.2.10:8080/cb/screen?r=1&t=abc", priority: 1 },
]);

/** Everything a test produced that could leak the password: outcomes, log records, client dumps. */
const exposed: unknown[] = [];
const logger = new MemoryLogger({ level: "trace" });

/** A fake clock whose timers (the client's back-off sleeps) fire at once and are recorded. */
function fakeClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
    let now = 1_000_000;
    const sleeps: number[] = [];
    return {
        sleeps,
        now: () => now,
        setTimeout: (fn: () => void, ms: number) => {
            sleeps.push(ms);
            now += ms;
            queueMicrotask(fn);
            return sleeps.length;
        },
        clearTimeout: () => {},
        advance: (ms) => {
            now += ms;
        },
    };
}

/** A client aimed at a fake phone: `{device}` in the path lets one server stand for many phones. */
function client(phone: FakePhone | number, options: Partial<PushClientOptions> = {}): PushClient {
    const port = typeof phone === "number" ? phone : phone.port;
    const c = new PushClient({
        user: USER,
        password: PASSWORD,
        urlTemplate: `http://{ip}:${port}/CGI/Execute/{device}`,
        timeoutMs: 2000,
        maxAttempts: 3,
        backoffBaseMs: 100,
        backoffMaxMs: 1000,
        jitter: 0.5,
        random: () => 0.5,
        clock: fakeClock(),
        logger,
        ...options,
    });
    exposed.push(JSON.stringify(c), inspect(c), String(c));
    return c;
}

/** Starts a fake phone that answers every request with the same answer (or per request). */
async function phoneAnswering(t: Test, answer: Answer | ((r: Received) => Answer)): Promise<FakePhone> {
    const p = await startFakePhone(typeof answer === "function" ? answer : () => answer);
    t.teardown(() => p.close());
    return p;
}

const A = { ip: "127.0.0.1", device: "SEP000000000A01" };
const B = { ip: "127.0.0.1", device: "SEP000000000B02" };

async function push(
    c: PushClient,
    target: PushTarget = A,
    xml: Parameters<PushClient["push"]>[1] = EXECUTE,
): Promise<PushOutcome> {
    const o = await c.push(target, xml);
    exposed.push(o, JSON.stringify(o));
    return o;
}

t.test("success: the request looks like Cisco's push, the outcome carries the items", async (t) => {
    const phone = await phoneAnswering(t, {
        body: okResponse("Play:CallBack.raw", "http://192.0.2.10:8080/cb/screen?r=1&amp;t=abc"),
    });
    const o = await push(client(phone));
    t.match(o, { ok: true, code: "PUSH_OK", phone: A.device, attempts: 1 });
    t.equal(o.url, `http://127.0.0.1:${phone.port}/CGI/Execute/${A.device}`);
    t.same(
        o.items?.map((i) => i.url),
        ["Play:CallBack.raw", "http://192.0.2.10:8080/cb/screen?…"],
        "echoed URLs lose the query (request token)",
    );
    t.equal(o.httpStatus, 200);
    const r = phone.received[0]!;
    t.equal(r.path, `/CGI/Execute/${A.device}`);
    t.equal(r.headers["content-type"], "application/x-www-form-urlencoded");
    t.equal(r.headers["content-length"], String(EXECUTE.body.length));
    t.equal(r.headers["transfer-encoding"], undefined, "no chunked body");
    t.equal(r.headers.expect, undefined, "no Expect: 100-continue");
    t.equal(r.headers.authorization, `Basic ${CREDENTIAL}`);
    t.equal(r.body, EXECUTE.body.toString("latin1"));
    const form = new URLSearchParams(r.body);
    t.equal(form.get("XML"), EXECUTE.xml.toString("latin1"), "form field XML holds the object");
});

t.test("raw XML bytes and strings are form-encoded too", async (t) => {
    const phone = await phoneAnswering(t, { body: okResponse("Key:Soft1") });
    const c = client(phone);
    t.equal((await push(c, A, EXECUTE.xml)).code, "PUSH_OK");
    t.equal(
        (await push(c, A, '<CiscoIPPhoneExecute><ExecuteItem URL="Key:Soft1"/></CiscoIPPhoneExecute>')).code,
        "PUSH_OK",
    );
    t.equal(phone.received[0]!.body, EXECUTE.body.toString("latin1"));
    t.match(phone.received[1]!.body, /^XML=%3CCiscoIPPhoneExecute%3E/);
});

t.test("CiscoIPPhoneError 1..3 and failed items: final, no retry", async (t) => {
    for (const n of [1, 2, 3, 6]) {
        const phone = await phoneAnswering(t, { body: errorResponse(n) });
        const o = await push(client(phone));
        t.match(o, { ok: false, code: "PUSH_PHONE_ERROR", phoneError: n, attempts: 1 }, `error ${n}`);
        t.equal(phone.received.length, 1);
    }
    const items = await phoneAnswering(t, {
        body: `<CiscoIPPhoneResponse><ResponseItem Status="0" URL="Play:CallBack.raw"/><ResponseItem Status="6" Data="x" URL="http://a"/></CiscoIPPhoneResponse>`,
    });
    t.match(await push(client(items)), {
        ok: false,
        code: "PUSH_ITEM_FAILED",
        attempts: 1,
        message: "1 of 2 items failed",
    });
});

t.test(
    "credentials refused (error 4 or HTTP 401/403): distinct outcome, no retry, that phone is left alone",
    async (t) => {
        const phone = await phoneAnswering(t, (r) =>
            r.path.endsWith(A.device) ? { body: errorResponse(4) } : { body: okResponse("x") },
        );
        const clock = fakeClock();
        const c = client(phone, { clock, authBackoffMs: 60_000 });
        const first = await push(c);
        t.match(first, { ok: false, code: "PUSH_AUTH_FAILED", phoneError: 4, attempts: 1 });
        t.same(clock.sleeps, [], "no backoff sleep: not retried");
        const second = await push(c);
        t.match(second, { ok: false, code: "PUSH_AUTH_BACKOFF", attempts: 0, retryAfterMs: 60_000 });
        t.equal(phone.received.length, 1, "no request while backing off");
        t.same(c.authBackoffs(), [{ phone: A.device, remainingMs: 60_000 }]);
        t.equal((await push(c, B)).code, "PUSH_OK", "other phones are not affected");
        clock.advance(60_000);
        t.same(c.authBackoffs(), []);
        t.equal((await push(c)).code, "PUSH_AUTH_FAILED", "tried again after the back-off");
        t.equal(phone.received.filter((r) => r.path.endsWith(A.device)).length, 2);
        c.clearAuthBackoff(A.device);
        t.equal((await push(c)).code, "PUSH_AUTH_FAILED", "cleared by hand");
        c.clearAuthBackoff();
        t.same(c.authBackoffs(), []);
        t.ok(
            logger.entries.some((e) => e.level === "error" && e.code === "PUSH_AUTH_FAILED"),
            "logged at error level",
        );

        for (const status of [401, 403]) {
            const p = await phoneAnswering(t, { status, body: "Unauthorized" });
            t.match(await push(client(p)), { code: "PUSH_AUTH_FAILED", httpStatus: status, attempts: 1 });
        }
    },
);

t.test("HTTP 500: retried with exponential backoff and jitter, then a typed failure", async (t) => {
    const phone = await phoneAnswering(t, { status: 500, body: "Internal Server Error" });
    const clock = fakeClock();
    const rand = [0, 1, 0.5];
    const c = client(phone, { clock, maxAttempts: 4, random: () => rand.shift() ?? 0 });
    const o = await push(c);
    t.match(o, { ok: false, code: "PUSH_HTTP_STATUS", httpStatus: 500, attempts: 4 });
    t.match(o.message, /after 4 attempts/);
    // base 100, jitter 0.5: d·(0.5 + 0.5·r) for d = 100, 200, 400
    t.same(clock.sleeps, [50, 200, 300]);
    t.equal(o.elapsedMs, 550, "elapsed by the injected clock");
    t.equal(phone.received.length, 4);
});

t.test("recovers when a retry succeeds", async (t) => {
    const phone = await phoneAnswering(t, (r) =>
        r.index === 0 ? { status: 503, body: "busy" } : { body: okResponse("Play:CallBack.raw") },
    );
    t.match(await push(client(phone)), { ok: true, code: "PUSH_OK", attempts: 2 });
});

t.test("other answers: 404, garbage, oversized, cut connection", async (t) => {
    const p404 = await phoneAnswering(t, { status: 404, body: "Not Found", contentType: "text/html" });
    t.match(await push(client(p404)), { code: "PUSH_HTTP_STATUS", httpStatus: 404, attempts: 1 });
    const garbage = await phoneAnswering(t, { body: "<html>hello</html>" });
    t.match(await push(client(garbage)), { code: "PUSH_BAD_RESPONSE", attempts: 1 });
    const huge = await phoneAnswering(t, { body: `<CiscoIPPhoneResponse>${"x".repeat(40_000)}` });
    t.match(await push(client(huge)), { code: "PUSH_BAD_RESPONSE", message: "answer too large" });
    const cut = await phoneAnswering(t, { destroy: true });
    t.match(await push(client(cut, { maxAttempts: 2 })), {
        code: "PUSH_UNREACHABLE",
        cause: "ECONNRESET",
        attempts: 2,
    });
});

t.test("slow phone: timeout per attempt = Synchronous Request Time Out, retried", async (t) => {
    const phone = await phoneAnswering(t, { hang: true });
    // long enough for each request to reach the phone on a loaded machine: the phone must see both attempts
    const c = client(phone, { timeoutMs: 1000, maxAttempts: 2 });
    const o = await push(c);
    t.match(o, { ok: false, code: "PUSH_TIMEOUT", attempts: 2 }, "two timeouts");
    t.equal(phone.received.length, 2);
    const slowOk = await phoneAnswering(t, { body: okResponse("Play:CallBack.raw"), delayMs: 60 });
    t.equal(
        (await push(client(slowOk, { timeoutMs: 20_000 }))).code,
        "PUSH_OK",
        "a slow Play answer within the timeout is fine",
    );
});

t.test("connection refused: retried, then PUSH_UNREACHABLE", async (t) => {
    const port = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as { port: number }).port;
            s.close(() => resolve(p));
        });
    });
    const clock = fakeClock();
    const o = await push(client(port, { clock }));
    t.match(o, { ok: false, code: "PUSH_UNREACHABLE", cause: "ECONNREFUSED", attempts: 3 });
    t.same(clock.sleeps, [75, 150]);
});

t.test("pushes to one phone are serialised in call order", async (t) => {
    // earlier requests answer more slowly: without per-phone ordering they would overtake
    const phone = await phoneAnswering(t, (r) => ({ body: okResponse(`Key:${r.index}`), delayMs: 40 - r.index * 8 }));
    const c = client(phone);
    const done: number[] = [];
    const xmls = [0, 1, 2, 3, 4].map((i) => buildExecute([{ url: `Key:Soft${i + 1}` }]));
    const all = xmls.map((x, i) =>
        push(c, A, x).then((o) => {
            done.push(i);
            return o;
        }),
    );
    const outcomes = await Promise.all(all);
    t.ok(outcomes.every((o) => o.code === "PUSH_OK"));
    t.same(done, [0, 1, 2, 3, 4], "resolved in order");
    t.same(
        phone.received.map((r) => new URLSearchParams(r.body).get("XML")!.match(/Soft(\d)/)![1]),
        ["1", "2", "3", "4", "5"],
        "sent in order",
    );
    t.equal(phone.maxInflightByPath.get(`/CGI/Execute/${A.device}`), 1, "never two at once to one phone");
});

t.test("global concurrency bound", async (t) => {
    const phone = await phoneAnswering(t, { body: okResponse("Key:Soft1"), delayMs: 30 });
    const c = client(phone, { concurrency: 2 });
    const targets = [1, 2, 3, 4, 5, 6].map((i) => ({ ip: "127.0.0.1", device: `SEP00000000000${i}` }));
    let maxActive = 0;
    const timer = setInterval(() => {
        maxActive = Math.max(maxActive, c.active);
    }, 2);
    const outcomes = await Promise.all(targets.map((tg) => push(c, tg)));
    clearInterval(timer);
    t.ok(outcomes.every((o) => o.code === "PUSH_OK"));
    t.equal(phone.maxInflight, 2, "the phone side never saw more than 2 at once");
    t.ok(maxActive <= 2);
    t.equal(c.active, 0);
});

t.test("per-phone queue bound, close()", async (t) => {
    const phone = await phoneAnswering(t, { hang: true });
    const c = client(phone, { maxQueuePerPhone: 2, timeoutMs: 5000 });
    const first = push(c);
    const queued = [push(c), push(c)];
    t.match(await push(c), { code: "PUSH_QUEUE_FULL", attempts: 0 });
    await new Promise((r) => setTimeout(r, 30));
    c.close();
    t.match(await first, { code: "PUSH_CLOSED" });
    for (const q of await Promise.all(queued)) t.match(q, { code: "PUSH_CLOSED", attempts: 0 });
    t.match(await push(c), { code: "PUSH_CLOSED" });
});

t.test("close() while waiting for a concurrency slot", async (t) => {
    const phone = await phoneAnswering(t, { hang: true });
    const c = client(phone, { concurrency: 1, timeoutMs: 5000 });
    const a = push(c, A);
    const b = push(c, B);
    await new Promise((r) => setTimeout(r, 30));
    c.close();
    t.match(await a, { code: "PUSH_CLOSED", attempts: 1 });
    t.match(await b, { code: "PUSH_CLOSED", attempts: 0 });
});

t.test("requests that cannot be made", async (t) => {
    const c = client(9, { urlTemplate: DEFAULT_PUSH_URL });
    t.match(await push(c, { ip: "not-an-ip" }), { code: "PUSH_BAD_TARGET", attempts: 0 });
    const big = Buffer.alloc(600, 0x41);
    t.match(await push(c, { ip: "127.0.0.1" }, big), { code: "PUSH_TOO_LARGE", attempts: 0 });
    const zoned = await push(client(9, { urlTemplate: DEFAULT_PUSH_URL, maxAttempts: 1 }), { ip: "fe80::1%eth0" });
    t.match(zoned, { code: "PUSH_UNREACHABLE", cause: "ERR_INVALID_URL", attempts: 1 });
    const dev = client(9, { urlTemplate: "http://{ip}/{device}/{mac}" });
    t.match(await push(dev, { ip: "127.0.0.1" }), { code: "PUSH_BAD_TARGET" });
    t.match(await push(dev, { ip: "127.0.0.1", device: "SEP1", mac: "xyz" }), { code: "PUSH_BAD_TARGET" });
});

t.test("URL templates", async (t) => {
    t.equal(pushUrl(DEFAULT_PUSH_URL, { ip: "10.0.0.5" }), "http://10.0.0.5/CGI/Execute");
    t.equal(pushUrl("http://{ip}:8080/x", { ip: "2001:db8::1" }), "http://[2001:db8::1]:8080/x");
    t.equal(
        pushUrl("https://gw/{device}/{mac}", { ip: "10.0.0.5", device: "SEP001122334455", mac: "00:11:22:aa:bb:cc" }),
        "https://gw/SEP001122334455/001122AABBCC",
    );
    t.equal(pushUrl("http://{ip}/{device}", { ip: "10.0.0.5", device: "../../etc" }), undefined);
    for (const bad of ["http://{host}/x", "ftp://{ip}/x", "not a url {ip}", `http://u:p@{ip}/x`]) {
        t.throws(() => checkPushUrlTemplate(bad), ConfigError, bad);
    }
    const err = (() => {
        try {
            checkPushUrlTemplate("http://{oops}/");
        } catch (e) {
            return e as ConfigError;
        }
    })()!;
    t.equal(err.code, "CONFIG_INVALID");
    t.equal(err.details.key, "phones.pushUrl");
    t.throws(() => new PushClient({ user: "u", password: "p", timeoutMs: 0 }), ConfigError);
    t.throws(() => new PushClient({ user: "u", password: "p", concurrency: Number.NaN }), ConfigError);
    t.doesNotThrow(() => new PushClient({ user: "u", password: "p" }), "defaults");
});

t.test("backoff schedule", async (t) => {
    const o = { baseMs: 1000, maxMs: 30_000, jitter: 0.5 };
    t.same(
        [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, o, () => 1)),
        [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
        "doubles up to the cap",
    );
    t.same(
        [1, 2, 3].map((n) => backoffDelay(n, o, () => 0)),
        [500, 1000, 2000],
        "jitter takes off up to half",
    );
    t.equal(
        backoffDelay(1, { ...o, jitter: 0 }, () => 0.3),
        1000,
        "no jitter",
    );
    t.equal(
        backoffDelay(1, { ...o, jitter: 1 }, () => 0.25),
        250,
        "full jitter",
    );
    t.equal(
        backoffDelay(1, o, () => 7),
        1000,
        "random clamped",
    );
});

t.test("the password never appears in outcomes, log records or client dumps", async (t) => {
    const haystack = JSON.stringify([exposed, logger.entries]);
    t.ok(exposed.length > 40, `${exposed.length} outcomes and dumps checked`);
    t.ok(logger.entries.length > 20, `${logger.entries.length} log records checked`);
    t.notOk(haystack.includes(PASSWORD), "no password");
    t.notOk(haystack.includes(CREDENTIAL), "no Basic credential");
    t.notOk(haystack.includes(encodeURIComponent(PASSWORD)), "no url-encoded password");
    t.notOk(haystack.includes("Authorization"), "no Authorization header");
});
