/** The push side's HTTP server: what reaches the service, what is answered before it, what is recorded. */
import t from "tap";
import { type Body, PushServer, type PushServerHost, Refusal } from "../../../src/sim/xsi/pushServer.js";
import type { PushRecord, XsiFailure } from "../../../src/sim/xsi/types.js";

function setup() {
    const seen: { body: string; user: string | undefined }[] = [];
    let failure: XsiFailure | undefined;
    const host: PushServerHost = {
        clock: { now: () => 1000, sleep: () => Promise.resolve() },
        pushes: [] as PushRecord[],
        failure: () => failure,
        handlePush: async (_req, body: Body, creds) => {
            seen.push({ body: body.buf.toString("latin1"), user: creds?.user });
            return body.total > 20 ? new Refusal(1, "size: too big") : [];
        },
    };
    const server = new PushServer("127.0.0.1", 0, host);
    return { server, host, seen, setFailure: (f: XsiFailure | undefined) => (failure = f) };
}

const post = (port: number, body: string, path = "/CGI/Execute") =>
    fetch(`http://127.0.0.1:${port}${path}`, {
        method: "POST",
        body,
        headers: { authorization: `Basic ${Buffer.from("u:p").toString("base64")}` },
    });

t.test("a POST to /CGI/Execute reaches the service with its credentials; the answer is recorded", async (t) => {
    const { server, host, seen } = setup();
    await server.listen();
    t.teardown(() => server.close());
    t.ok(server.port > 0, "the real port once listening");
    const ok = await post(server.port, "XML=%3Cx%2F%3E");
    t.equal(ok.status, 200);
    t.equal(ok.headers.get("server"), "Allegro-Software-RomPager/4.34");
    t.match(await ok.text(), /CiscoIPPhoneResponse/);
    const refused = await post(server.port, "XML=this-body-is-long-enough");
    t.match(await refused.text(), /CiscoIPPhoneError Number="1"/);
    t.same(seen, [
        { body: "XML=%3Cx%2F%3E", user: "u" },
        { body: "XML=this-body-is-long-enough", user: "u" },
    ]);
    t.match(host.pushes, [
        { at: 1000, httpStatus: 200, user: "u" },
        { httpStatus: 200, errorNumber: 1, reason: "size: too big" },
    ]);
});

t.test("other paths are 404 without the service; failure modes answer before it", async (t) => {
    const { server, host, seen, setFailure } = setup();
    await server.listen();
    t.teardown(() => server.close());
    const nf = await post(server.port, "x", "/other");
    t.equal(nf.status, 404);
    setFailure({ kind: "http500" });
    t.equal((await post(server.port, "XML=x")).status, 500);
    setFailure({ kind: "error", number: 4 });
    t.match(await (await post(server.port, "XML=x")).text(), /Number="4"/);
    t.same(seen, [], "the service saw none of them");
    t.match(
        host.pushes.map((p) => p.reason),
        [/^not found/, "failure: http500", "failure: error"],
    );
});

t.test("closed, it refuses connections; it can listen again", async (t) => {
    const { server } = setup();
    await server.listen();
    const port = server.port;
    await server.close();
    await t.rejects(post(port, "XML=x"));
    await server.close();
});
