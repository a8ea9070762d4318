/**
 * Fault: the wall clock steps (NTP) while the service runs. Engine deadlines, the snapshot writer's rate
 * bucket and the push client's credentials back-off must neither fire early on a forward step nor freeze
 * for the size of a backward step.
 */
import t from "tap";
import { PushClient } from "../../src/phone/push.js";
import { buildExecute } from "../../src/phone/xsi.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { SlotStore } from "../../src/store/slots.js";
import { SnapshotWriter } from "../../src/store/snapshotWriter.js";
import { type Clock, steadyWallClock as wallClock } from "../../src/util/clock.js";
import { FakeClock } from "../../src/util/fakeClock.js";
import { startOffice } from "../e2e/helpers.js";
import { needLiveCapture } from "../helpers/live.js";
import { needTool } from "../helpers/tools.js";
import { errorResponse, startFakePhone } from "../phone/fakePhone.js";

const DAY = 86_400_000;
const realNow = Date.now;

/** Steps the process's wall clock by `offsetMs` from the real one (undone in teardown). */
function stepWallClock(t: { teardown(fn: () => void): void }, offsetMs: number): void {
    Date.now = () => realNow() + offsetMs;
    t.teardown(() => {
        Date.now = realNow;
    });
}

t.test("the service's live clock ignores wall-clock steps", async (t) => {
    const before = wallClock.now();
    stepWallClock(t, 2 * DAY);
    t.ok(wallClock.now() - before < DAY, "a forward step of two days: engine time did not jump with it");
    stepWallClock(t, -2 * DAY);
    const back = wallClock.now();
    t.ok(back >= before, "a backward step of two days: engine time did not go back");
    await new Promise((r) => setTimeout(r, 30));
    t.ok(wallClock.now() > back, "and keeps moving");
    Date.now = realNow;
});

t.test("snapshot writes after the clock stepped back an hour are not held for an hour", async (t) => {
    const fake = new FakeClock(1_700_000_000_000);
    let offset = 0;
    const timers: Clock = {
        now: () => fake.now() + offset,
        setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
        clearTimeout: (h) => fake.clearTimeout(h),
    };
    const writer = new SnapshotWriter(
        new SlotStore(new MemoryFlashFs()),
        { snapshot: () => ({ formatVersion: 2, payload: new Uint8Array([1]) }) },
        { timers },
    );
    t.teardown(() => writer.close());
    await writer.persist();
    offset = -3_600_000;
    let done = false;
    void writer.persist().then(() => {
        done = true;
    });
    await fake.advance(1000);
    t.ok(done, "written within a second (the rate bucket did not drain by an hour)");
    t.equal(writer.stats.writes, 2);
    offset = 3_600_000;
    await writer.persist();
    t.equal(writer.stats.writes, 3, "a forward step writes at once too");
});

t.test("a credentials back-off lasts its time whatever the wall clock does", async (t) => {
    const phone = await startFakePhone(() => ({ body: errorResponse(4) }));
    t.teardown(() => phone.close());
    const client = new PushClient({
        user: "u",
        password: "p",
        urlTemplate: `http://{ip}:${phone.port}/CGI/Execute`,
        authBackoffMs: 60_000,
    });
    t.teardown(() => client.close());
    const doc = buildExecute([{ url: "http://10.0.0.1/x" }]);
    const first = await client.push({ ip: "127.0.0.1" }, doc);
    t.equal(first.code, "PUSH_AUTH_FAILED");
    stepWallClock(t, -DAY);
    const [b] = client.authBackoffs();
    t.ok(b !== undefined && b.remainingMs <= 60_000, `back-off left after a step back: ${b?.remainingMs} ms`);
    stepWallClock(t, DAY);
    t.equal(client.authBackoffs().length, 1, "a step forward does not end it early either");
    const second = await client.push({ ip: "127.0.0.1" }, doc);
    t.equal(second.code, "PUSH_AUTH_BACKOFF", "the phone is left alone");
    t.equal(phone.received.length, 1, "no hammering: one request reached the phone");
    Date.now = realNow;
});

const skipLive = needLiveCapture() || needTool("xmllint", "libxml2-utils");

t.test("NTP steps while a request waits: no spurious expiry, no frozen guard time", { skip: skipLive }, async (t) => {
    const o = await startOffice(
        [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        { callback: { guardTimeMs: 300, busyExpiryMin: 1 } },
        new MemoryFlashFs(),
        true,
    );
    t.teardown(() => o.stop());
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(
        () => o.screenTexts("1003").some((s) => s.startsWith("Call Back is activated on 1002")),
        "the activated screen",
    );
    await o.branch.hangUp("1003");
    // Forward two days: with engine time on the wall clock the one-minute expiry would fire at the next tick.
    stepWallClock(t, 2 * DAY);
    await new Promise((r) => setTimeout(r, 400));
    o.service.tick();
    t.equal(o.service.state.requests.length, 1, "the request is still waiting");
    t.notOk(
        o.seen.some((e) => e.type === "RequestEnded"),
        "nothing expired",
    );
    // Back four days: with engine time on the wall clock (which never goes back) every deadline would freeze.
    // (A frozen deadline would hold the notification for the four days of the step: the wait below would time
    // out; how many milliseconds it takes on this machine is not the point.)
    stepWallClock(t, -2 * DAY);
    await o.branch.hangUp("1002");
    await o.until(
        () => o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
        "the notification after the guard time (not frozen by the step back)",
    );
    t.equal(o.service.counters.notifications, 1, "notified once");
    Date.now = realNow;
});
