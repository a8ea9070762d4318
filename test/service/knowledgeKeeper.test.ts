/**
 * The knowledge keeper on its own (a real ClusterModel, the in-memory flash): a registration is written once
 * within the delay, keepalives never; the daily refresh; the unlearned alarm raised after its grace time,
 * updated and cleared; a press the box cannot interpret logged once per phone.
 */
import t from "tap";
import { ClusterModel } from "../../src/cluster/model.js";
import { MemoryLogger } from "../../src/logging/memory.js";
import { KnowledgeKeeper, UNLEARNED_ALARM } from "../../src/service/knowledgeKeeper.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { decodeKnowledge } from "../../src/store/knowledgeCodec.js";
import { decodeSlot } from "../../src/store/slots.js";
import { WriteBudget } from "../../src/store/snapshotWriter.js";
import { Harness } from "../cluster/helpers.js";

const A = { name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] };

function setup() {
    const h = new Harness();
    const fs = new MemoryFlashFs();
    const log = new MemoryLogger();
    const alarms: string[] = [];
    let now = 0;
    const keeper = new KnowledgeKeeper({
        model: h.model,
        fs,
        budget: new WriteBudget(),
        writeDelayMs: 0,
        now: () => now,
        log,
        alarm: (id, action, details) => alarms.push(`${action} ${id}: ${details}`),
        onHealth: () => {},
    });
    const tick = async (ms = 10) => {
        now += ms;
        keeper.changed();
        keeper.check(now);
        await new Promise((r) => setTimeout(r, 5));
    };
    const devicesOnFlash = () => {
        const bytes = fs.peek("knowledge.a") ?? fs.peek("knowledge.b");
        if (bytes === undefined) return null;
        const rec = decodeSlot(bytes);
        return typeof rec === "string" ? null : decodeKnowledge(rec.payload).devices.length;
    };
    return { h, fs, log, alarms, keeper, tick, devicesOnFlash, setNow: (ms: number) => (now = ms) };
}

t.test("a registration is written once; keepalives never", async (t) => {
    const s = setup();
    t.teardown(() => s.keeper.stop());
    const link = s.h.register(A, 0);
    await s.tick();
    t.equal(s.devicesOnFlash(), 1);
    const writes = s.keeper.writer.stats.writes;
    for (let i = 1; i <= 5; i++) {
        link.up(30 * i, "KeepAliveReq").down(30 * i, "KeepAliveAck");
        await s.tick();
    }
    t.equal(s.keeper.writer.stats.writes, writes, "no write for keepalives");
    // restored into another model from what was written
    const m = new ClusterModel();
    const fs2 = new MemoryFlashFs();
    for (const n of ["knowledge.a", "knowledge.b"]) {
        const b = s.fs.peek(n);
        if (b !== undefined) fs2.poke(n, b);
    }
    const other = new KnowledgeKeeper({
        model: m,
        fs: fs2,
        budget: new WriteBudget(),
        writeDelayMs: 0,
        now: () => 0,
        log: new MemoryLogger(),
        alarm: () => {},
        onHealth: () => {},
    });
    t.match(await other.load(), { devices: 1 });
    t.equal(m.device(A.name)?.lines[0]?.dn, "1001");
    await other.stop();
});

t.test("the daily refresh writes the knowledge again though nothing changed", async (t) => {
    const s = setup();
    t.teardown(() => s.keeper.stop());
    s.h.register(A, 0);
    await s.tick();
    const writes = s.keeper.writer.stats.writes;
    await s.tick(23 * 3_600_000);
    t.equal(s.keeper.writer.stats.writes, writes, "not within the day");
    await s.tick(3_600_000);
    t.equal(s.keeper.writer.stats.writes, writes + 1, "after a day");
});

t.test("the unlearned alarm: after 30 s of traffic, updated as phones come, cleared when learned", async (t) => {
    const s = setup();
    t.teardown(() => s.keeper.stop());
    s.h.link("10.1.0.7", "10.0.0.1", { midstream: true }).up(0, "KeepAliveReq");
    await s.tick();
    t.strictSame(s.alarms, [], "not before the grace time");
    s.setNow(31_000);
    await s.tick();
    t.match(s.alarms, [new RegExp(`^raise ${UNLEARNED_ALARM}: 1 phone with traffic lacks .*@10\\.1\\.0\\.7`)]);
    s.h.link("10.1.0.8", "10.0.0.1", { midstream: true }).up(31, "KeepAliveReq");
    s.setNow(70_000);
    await s.tick();
    t.match(s.alarms.at(-1), /^raise cluster\.phones-unlearned: 2 phones with traffic lack/, "the text is updated");
    const n = s.alarms.length;
    await s.tick(6000);
    t.equal(s.alarms.length, n, "not raised again while nothing changes");
    // both register: nothing lacking
    s.h.register({ name: "SEP0000000A0007", ip: "10.1.0.7", dns: ["1007"] }, 80);
    s.h.register({ name: "SEP0000000A0008", ip: "10.1.0.8", dns: ["1008"] }, 80);
    await s.tick(6000);
    t.match(s.alarms.at(-1), /^clear cluster\.phones-unlearned/);
});

t.test("a press the box cannot interpret is logged once per phone", async (t) => {
    const s = setup();
    t.teardown(() => s.keeper.stop());
    const press = (device: string) =>
        s.keeper.pressNotUnderstood({
            type: "SoftKeyPressed",
            t: 1,
            device,
            name: null,
            line: 1,
            callRef: 5,
            event: 35,
            label: null,
            labelCode: null,
            source: "softkey",
            callState: 6,
        });
    press("@10.1.0.7");
    press("@10.1.0.7");
    press("@10.1.0.8");
    const logged = s.log.entries.filter((e) => String(e.msg).startsWith("softkey press not interpreted"));
    t.equal(logged.length, 2, "once per phone");
    t.match(logged[0], { level: "info", device: "@10.1.0.7", event: 35 });
});
