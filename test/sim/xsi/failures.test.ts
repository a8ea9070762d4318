import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { needTool } from "../../helpers/tools.js";
import { waitFor } from "../../helpers/wait.js";
import { attr, delay, executeXml, push, startBench } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");
const XML = executeXml({ url: "Dial:1002" });

t.test("refused: the listening socket is closed, then reopened on the same port", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    const port = b.svc.address.port;
    await b.svc.setFailure({ kind: "refused" });
    await t.rejects(push(b.svc, XML), { code: "ECONNREFUSED" });
    await b.svc.setFailure({ kind: "refused" }); // no change
    await b.svc.setFailure(undefined);
    t.equal(b.svc.address.port, port);
    t.match((await push(b.svc, XML)).body, /ResponseItem/);
    t.same(b.phone.dialed, ["1002"]);
});

t.test("refused before start: start does not listen", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await b.svc.stop();
    await b.svc.setFailure({ kind: "refused" });
    await b.svc.start();
    await t.rejects(push(b.svc, XML), { code: "ECONNREFUSED" });
    await b.svc.setFailure({ kind: "slow", delayMs: 1 });
    t.match((await push(b.svc, XML)).body, /ResponseItem/);
});

t.test("reset: connections are destroyed on accept", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await b.svc.setFailure({ kind: "reset" });
    await t.rejects(push(b.svc, XML), { code: /ECONNRESET|EPIPE/ });
    t.same(b.phone.dialed, []);
});

t.test("hang: accepted, never answered (until stop)", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await b.svc.setFailure({ kind: "hang" });
    await t.rejects(push(b.svc, XML, { timeoutMs: 200 }), { code: "TIMEOUT" });
    const pending = push(b.svc, XML, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await b.svc.stop();
    await t.rejects(pending, { code: /ECONNRESET|socket hang up/ });
    t.equal(b.svc.pushes.length, 0);
});

t.test("slow: the answer is delayed, then normal", { skip }, async (t) => {
    // the phone's clock, manual: the delay is a wait on it, not on the wall
    const clock = new ManualClock();
    const b = await startBench({ clock });
    t.teardown(b.close);
    await b.svc.setFailure({ kind: "slow", delayMs: 300 });
    let answered = false;
    const slow = push(b.svc, XML).then((a) => {
        answered = true;
        return a;
    });
    await waitFor(() => clock.pending > 0, "the phone to start waiting");
    clock.advance(299);
    await delay(50);
    t.notOk(answered, "no answer 299 ms into a 300 ms delay");
    clock.advance(1);
    t.equal(attr((await slow).body, "ResponseItem", "Status"), "0", "answered normally once the delay is over");
});

t.test("http500, garbage and a forced CiscoIPPhoneError", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await b.svc.setFailure({ kind: "http500" });
    const a = await push(b.svc, XML);
    t.equal(a.status, 500);
    t.match(a.contentType, /text\/html/);
    await b.svc.setFailure({ kind: "garbage" });
    const g = await push(b.svc, XML);
    t.equal(g.status, 200);
    t.notMatch(g.body, /^<\?xml|<CiscoIPPhone(Response|Error)[ >]/);
    await b.svc.setFailure({ kind: "error", number: 3 });
    t.equal(attr((await push(b.svc, XML)).body, "CiscoIPPhoneError", "Number"), "3");
    t.same(b.phone.dialed, [], "nothing executed in any failure mode");
    t.same(
        b.svc.pushes.map((p) => p.reason),
        ["failure: http500", "failure: garbage", "failure: error"],
    );
});

t.test("wrongCredentials: right credentials still get Error 4", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await b.svc.setFailure({ kind: "wrongCredentials" });
    t.equal(attr((await push(b.svc, XML)).body, "CiscoIPPhoneError", "Number"), "4");
    t.equal(b.auth.seen.length, 0);
    await b.svc.setFailure(undefined);
    t.match((await push(b.svc, XML)).body, /ResponseItem/);
});

t.test("a client that goes away mid-body is ignored", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    const { connect } = await import("node:net");
    await new Promise<void>((resolve) => {
        const s = connect(b.svc.address.port, b.svc.address.host, () => {
            s.write("POST /CGI/Execute HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nXML=abc");
            setTimeout(() => {
                s.destroy();
                resolve();
            }, 30);
        });
    });
    await new Promise((r) => setTimeout(r, 30));
    t.equal(b.svc.pushes.length, 0);
});
