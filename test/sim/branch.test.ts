import t from "tap";
import { Branch, parseScenario, phoneAddress, Scenario } from "../../src/sim/branch.js";
import { RealClock } from "../../src/sim/clock.js";
import { localTime } from "../../src/sim/dialect.js";
import { PHONE_MODELS, phoneModel } from "../../src/sim/models.js";
import { SimPhone } from "../../src/sim/phone.js";
import { SeededRandom } from "../../src/sim/random.js";
import { buildSoftKeySets, buildSoftKeyTemplate, CALLBACK_TEMPLATE_INDEX } from "../../src/sim/softkeys.js";
import { TrafficGenerator } from "../../src/sim/traffic.js";
import { CallState, Tone } from "../../src/sim/types.js";
import { tokens } from "./helpers/sim.js";

t.test("phone addresses, models, softkeys, local time, random numbers", async (t) => {
    t.equal(phoneAddress(0), "127.0.1.1");
    t.equal(phoneAddress(253), "127.0.1.254");
    t.equal(phoneAddress(254), "127.0.2.1");
    t.equal(phoneModel("7960")?.deviceType, 7);
    t.equal(phoneModel(30007)?.model, "7912");
    t.equal(phoneModel(20000)?.model, "7905");
    t.equal(phoneModel(8)?.modelName, "CP-7940G");
    t.equal(phoneModel("nope"), undefined);
    t.equal(phoneModel(99999), undefined);
    t.ok(Object.keys(PHONE_MODELS).length > 20);
    const tpl = buildSoftKeyTemplate(65);
    t.equal(tpl.length, CALLBACK_TEMPLATE_INDEX);
    t.same(tpl.at(-1), { code: 0x41, wire: "\u0080A", label: "Callback", event: 65 });
    t.same(tpl[15], { code: 0x43, wire: "\u0080C", label: "Barge", event: 21 }, "CUCM 4.1 numbering above 18");
    const sets = buildSoftKeySets(true);
    t.equal(sets.length, 11);
    t.ok(sets[0]?.template.includes(CALLBACK_TEMPLATE_INDEX), "On Hook");
    t.equal(sets[8]?.template[0], CALLBACK_TEMPLATE_INDEX, "Ring Out");
    t.equal(sets[5]?.template[0], CALLBACK_TEMPLATE_INDEX, "Connected Transferable");
    t.equal(sets[8]?.info[0], 320);
    t.notOk(buildSoftKeySets(false).some((s) => s.template.includes(CALLBACK_TEMPLATE_INDEX)));
    const ms = Date.UTC(2026, 0, 4, 23, 30, 15, 250); // a Sunday night in UTC
    t.same(localTime(ms, "UTC"), {
        year: 2026,
        month: 1,
        dayOfWeek: 0,
        day: 4,
        hour: 23,
        minute: 30,
        second: 15,
        millisecond: 250,
        systemTime: Math.floor(ms / 1000),
    });
    t.match(localTime(ms + 100, "UTC"), { second: 15, millisecond: 350 }, "same second: cached");
    t.match(localTime(ms, "Asia/Tokyo"), { day: 5, hour: 8, dayOfWeek: 1 });
    t.match(localTime(ms, "America/New_York"), { hour: 18 });
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 20 }, () => a.next());
    t.same(
        xs,
        Array.from({ length: 20 }, () => b.next()),
    );
    t.ok(xs.every((x) => x >= 0 && x < 1));
    t.ok(a.int(10) < 10);
    t.ok(a.u32() >= 0);
    t.notOk(a.chance(0));
    t.ok(a.exp(5) >= 0);
    const v = a.between(3, 4);
    t.ok(v >= 3 && v < 4);
    t.equal(a.pick(["only"]), "only");
});

t.test("scenario language and builder", async (t) => {
    const s = parseScenario(`
        # busy then call back
        1002 calls 1003
        1003 answers
        1001 calls 1003; 1001 presses CallBack
        after 20s 1003 hangs up
        1001 goes off hook after 500ms
        1001 goes on hook
        1002 holds
        1002 resumes
        1002 forwards all to 1004
        1002 cancels forwarding
        wait 1.5min
    `);
    t.same(
        s.steps.map((x) => [x.kind, x.dn, x.arg, x.after]),
        [
            ["call", "1002", "1003", undefined],
            ["answer", "1003", "", undefined],
            ["call", "1001", "1003", undefined],
            ["press", "1001", "CallBack", undefined],
            ["hangUp", "1003", "", 20_000],
            ["offHook", "1001", "", 500],
            ["onHook", "1001", "", undefined],
            ["hold", "1002", "", undefined],
            ["resume", "1002", "", undefined],
            ["forwardAll", "1002", "1004", undefined],
            ["forwardAll", "1002", "", undefined],
            ["wait", "", "", 90_000],
        ],
    );
    t.throws(() => parseScenario("1001 sings"), { code: "SIM_SCENARIO_SYNTAX" });
    t.throws(() => parseScenario("wait soon"), { code: "SIM_SCENARIO_SYNTAX" });
    const built = new Scenario().call("1001", "1002", { after: 5 }).answer("1002").wait(10);
    t.same(built.steps[0], { kind: "call", dn: "1001", arg: "1002", after: 5 });
    t.equal(built.steps.length, 3);
});

t.test("a scenario played on a branch (the issue's example)", async (t) => {
    const b = await Branch.start({ phones: 4, interDigitMs: 100 });
    t.teardown(() => b.stop());
    await b.play(
        parseScenario(`
            1002 calls 1003
            1003 answers
            1001 calls 1003
            1001 presses CallBack
            1001 hangs up
            after 20s 1003 hangs up
            1004 goes off hook
            1004 goes on hook
            1004 forwards all to 1001
            1002 calls 1004
            1001 answers
            1001 holds
            1001 resumes
            after 5s 1002 hangs up
            wait 1s
        `),
    );
    t.equal(b.phone("1002").history.filter((h) => h.name === "KeypadButton").length, 8);
    t.ok(tokens(b.phone("1001"), "in").includes("StartTone:0x23"));
    t.ok(b.phones.every((p) => p.isIdle()));
    t.same(b.phone("1004").forward(1).all, "1001");
    t.same(b.errors().details, []);
    t.throws(() => b.phone("9999"), { code: "SIM_UNKNOWN_PHONE" });
    t.equal(b.phone("127.0.1.3"), b.phone("1003"));
    t.equal(b.phone(b.phone("1003").deviceName), b.phone("1003"));
});

t.test("memory transport is deterministic and needs the manual clock", async (t) => {
    const run = async () => {
        const b = await Branch.start({ phones: 30, transport: "memory", seed: 3, history: 50 });
        const traffic = new TrafficGenerator(b.phones, b.clock, {
            seed: 3,
            callsPerHour: 30,
            forwardChangesPerHour: 30,
        });
        traffic.start();
        traffic.start();
        await b.advance(900_000);
        traffic.stop();
        const out = {
            stats: { ...traffic.stats },
            cm: { ...b.cm.stats },
            last: b.phones.map((p) => tokens(p).join(" ")),
        };
        t.same(b.errors().details, []);
        await b.stop();
        return out;
    };
    const x = await run();
    const y = await run();
    t.same(x, y, "same seed, same traffic, same messages");
    t.ok(x.stats.attempts > 50);
    t.ok(x.stats.forwards > 0);
    t.ok(x.cm.calls > 50);
    await t.rejects(Branch.start({ phones: 1, transport: "memory", clock: "real" }), {
        code: "SIM_MEMORY_NEEDS_MANUAL_CLOCK",
    });
});

t.test("startSync builds a registered branch without awaiting (benchmark generator)", async (t) => {
    const b = Branch.startSync({ phones: 20, standby: true, registerBatch: 20 });
    t.ok(b.phones.every((p) => p.registered));
    t.equal(b.cm.registeredDevices().length, 20);
    b.phone("1001").dial("1002");
    await b.advance(100);
    t.ok(b.phone("1002").isRinging());
    await b.stop();
});

t.test("a real, accelerated clock over TCP", async (t) => {
    const b = await Branch.start({ phones: 2, clock: "real", speed: 50, cm: { noAnswerTimeoutMs: 2000 } });
    t.teardown(() => b.stop());
    t.ok(b.clock instanceof RealClock);
    await b.call("1001", "1002");
    await b.advance(2500);
    t.equal(b.phone("1001").tone, Tone.ReorderTone, "the no-answer timer ran on the real clock");
    t.equal(b.phone("1001").calls[0]?.state, CallState.RingOut);
});

t.test("phone construction errors and an unreachable CallManager", async (t) => {
    t.throws(() => new SimPhone({ ip: "127.0.1.1", callManagers: [], model: "7960" }), { code: "SIM_NO_CALLMANAGER" });
    t.throws(() => new SimPhone({ ip: "127.0.1.1", callManagers: [{ host: "127.0.0.1", port: 1 }], model: "x" }), {
        code: "SIM_UNKNOWN_MODEL",
    });
    const p = new SimPhone({ ip: "127.0.1.1", callManagers: [{ host: "127.0.0.1", port: 1 }], reconnectMs: 0 });
    t.equal(p.deviceName, "SEP001E4A000101");
    await t.rejects(p.start(), { code: "SIM_CONNECT" });
    t.notOk(p.registered);
    t.notOk(p.isIdle());
    await p.stop();
});

t.test("a phone that cannot start stops the whole branch before the error is reported", async (t) => {
    const { createServer, connect } = await import("node:net");
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const log: string[] = [];
    const xsi = (phone: { lines: readonly string[] }) => ({
        async start() {
            log.push(`start ${phone.lines[0]}`);
            if (phone.lines[0] === "1002")
                throw Object.assign(new Error("no xmllint"), { code: "XSI_XMLLINT_MISSING" });
        },
        async stop() {
            log.push(`stop ${phone.lines[0]}`);
        },
    });
    await t.rejects(
        Branch.start({
            phones: [
                { dn: "1001", xsi },
                { dn: "1002", xsi },
                { dn: "1003", xsi },
            ],
            cm: { port },
        }),
        { code: "XSI_XMLLINT_MISSING" },
    );
    t.same(
        log.filter((l) => l.startsWith("stop")).sort(),
        ["stop 1001", "stop 1002", "stop 1003"],
        "every phone was stopped",
    );
    // Before: the CallManager kept listening and the phones stayed connected (the test process never ended).
    const refused = await new Promise<string>((resolve) => {
        const s = connect(port, "127.0.0.1");
        s.once("connect", () => {
            s.destroy();
            resolve("connected");
        });
        s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    });
    t.equal(refused, "ECONNREFUSED", "the CallManager no longer listens");
});
