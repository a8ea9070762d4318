import t from "tap";
import { Harness, notifies } from "./helpers.js";

// Regression for the restore of many requests (bench/startup.mjs: quadratic, ~0.5 s for 20,000): after `Restored` every
// watched number is both due and touched, and each must be served once, in the order of the watches.
t.test("Restored with many requests: each idle callee is served once, in order", async (t) => {
    const N = 300;
    const phones = (h: Harness): void => {
        for (let i = 0; i < N; i++)
            h.view.addPhone(`SEPX${i}`, { dn: String(2000 + i), ip: `10.1.${i >> 8}.${i & 255}` });
    };
    const h = new Harness();
    phones(h);
    for (let i = 0; i < N; i++) h.activate(`SEPX${i}`, String(2000 + i), String(3000 + i));
    t.equal(h.requests().length, N);
    const snapshot = JSON.parse(JSON.stringify(h.state));

    const r = new Harness();
    phones(r);
    for (let i = 0; i < N; i++) r.line(String(3000 + i), "idle");
    r.now = h.now + 60_000;
    r.state = snapshot;
    t.same(notifies(r.send({ type: "Restored" })), [], "the guard time starts again after a restart");
    const served = notifies(r.advance(60_000));
    t.equal(served.length, N);
    t.same(
        served.map((n) => n.device),
        Array.from({ length: N }, (_, i) => `SEPX${i}`),
        "each caller once, in the order of the watches",
    );
    t.same(notifies(r.advance(60_000)), [], "nobody twice");
});
