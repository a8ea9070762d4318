/**
 * Issue D's load criterion: a 500-phone branch with a seeded call mix runs for a simulated hour over real
 * TCP on loopback (manual clock, stepped with the network settled between steps) with zero protocol
 * errors: every message both ends exchanged — and the mirror capture of all of it run through the real
 * pipeline — decodes without a Gap, a Resync or an Unknown message.
 */
import t from "tap";
import { Branch } from "../../src/sim/branch.js";
import { TrafficGenerator } from "../../src/sim/traffic.js";
import { decodingTap, freePort } from "./helpers/sim.js";

t.test("500 phones, one simulated hour, seeded call mix, zero protocol errors", async (t) => {
    const wall = Date.now();
    const port = await freePort();
    const tap = decodingTap(port);
    const b = await Branch.start({
        phones: 500,
        seed: 7,
        models: ["7960", "7940", "7912", "7905", "7961", "7970"],
        cm: { port },
        tap: tap.output,
        history: 0,
        quantumMs: 1000,
        registerBatch: 100,
    });
    t.teardown(() => b.stop());
    t.equal(b.cm.registeredDevices().length, 500);
    const traffic = new TrafficGenerator(b.phones, b.clock, { seed: 7, callsPerHour: 4, forwardChangesPerHour: 20 });
    traffic.start();
    await b.advance(3_600_000);
    traffic.stop();
    await b.advance(120_000); // let calls in progress finish their timers
    tap.finish();
    const s = traffic.stats;
    t.comment(
        `traffic ${JSON.stringify(s)}; cm ${JSON.stringify(b.cm.stats)}; capture ${JSON.stringify(tap.counts)}; wall ${Date.now() - wall} ms`,
    );
    t.ok(s.attempts > 1500, "calls placed");
    t.ok(s.answered > 500, "calls answered");
    t.ok(s.busy > 10, "busy calls");
    t.ok(s.callBacks > 10, "CallBack presses");
    t.same(b.errors(), { cm: 0, phones: 0, details: [] }, "no protocol error at either end");
    t.equal(tap.counts.gaps, 0);
    t.equal(tap.counts.resyncs, 0);
    t.equal(tap.counts.unknown, 0);
    const sent = b.cm.stats.messagesOut + b.phones.reduce((n, p) => n + p.stats.messagesSent, 0);
    t.equal(tap.counts.messages, sent, "every message sent decodes from the capture");
    t.ok(b.cm.stats.messagesIn > 60_000, "keepalives and calls reached the CallManager");
    t.equal(b.cm.stats.keepAliveTimeouts, 0);
});
