/**
 * The service's snapshot side without the simulator: a snapshot from every released format is restored on
 * start (and rewritten as protobuf), unreadable or future slots raise an alarm without a crash, and a state
 * directory that cannot be written raises flash.not-writable and clears it once writes work again.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { decodeSlot, encodeSlot } from "../../src/store/slots.js";
import { decodePayload, FORMAT_PROTOBUF } from "../../src/store/snapshotCodec.js";
import { notificationInFlight } from "../helpers/snapshots.js";
import { waitFor } from "../helpers/wait.js";

configureLogging({ level: "silent" });
const fixtures = join(import.meta.dirname, "../fixtures/store");

interface Started {
    service: CallbackService;
    alarms: string[];
    restored: number;
}

async function start(fs: MemoryFlashFs): Promise<Started> {
    const config = loadConfig({ env: {}, overrides: { http: { listen: "127.0.0.1:0" }, log: { level: "silent" } } });
    const alarms: string[] = [];
    const service = new CallbackService({
        config,
        fs,
        timeMode: "capture",
        onAlarm: (id, action, details) => alarms.push(`${action} ${id}: ${details}`),
    });
    const { restored } = await service.start();
    return { service, alarms, restored };
}

async function newest(fs: MemoryFlashFs): Promise<{ formatVersion: number; generation: bigint } | null> {
    let best: { formatVersion: number; generation: bigint } | null = null;
    for (const name of ["state.a", "state.b"]) {
        const bytes = await fs.read(name);
        const rec = bytes === null ? null : decodeSlot(bytes);
        if (rec !== null && typeof rec !== "string" && (best === null || rec.generation > best.generation)) {
            best = rec;
        }
    }
    return best;
}

for (const file of ["snapshot-format1.slot", "snapshot-format2-schema1.slot"]) {
    t.test(`restores ${file} and writes the next snapshot as protobuf`, async (t) => {
        const fs = new MemoryFlashFs();
        fs.poke("state.a", readFileSync(join(fixtures, file)));
        const { service, alarms, restored } = await start(fs);
        t.teardown(() => service.stop());
        t.equal(restored, 4, "every request");
        t.same(alarms, []);
        t.same(
            service.state.requests.map((r) => r.phase),
            ["waiting", "waiting", "notified", "waiting"],
            "the pending one is active: it was durable",
        );
        await service.writer.persist();
        const rec = await newest(fs);
        t.equal(rec?.formatVersion, FORMAT_PROTOBUF);
        const bytes = (await fs.read("state.b")) as Uint8Array;
        const slot = decodeSlot(bytes);
        if (typeof slot === "string") throw new Error(slot);
        const content = decodePayload(slot.formatVersion, slot.payload);
        t.strictSame(content.engine, service.state, "the snapshot is the state");
        if (file.includes("format2")) t.match(content, { session: 7, outboxAckedEseq: 42 }, "carried over");
    });
}

t.test("a corrupt slot and an unreadable payload raise alarms, and the service still starts", async (t) => {
    const fs = new MemoryFlashFs();
    fs.poke("state.a", Uint8Array.of(1, 2, 3));
    fs.poke("state.b", encodeSlot({ formatVersion: 9, generation: 3n, payload: Uint8Array.of(0) }));
    const { service, alarms, restored } = await start(fs);
    t.teardown(() => service.stop());
    t.equal(restored, 0);
    t.match(alarms, [
        /^raise flash.corrupt-slot: state.a: bad-/,
        /^raise flash.corrupt-slot: snapshot generation 3 unreadable: .*format 9/,
    ]);
    t.equal(service.state.requests.length, 0, "started empty");
});

t.test("newest slot from a future format (a downgrade): the older slot is restored", async (t) => {
    const fs = new MemoryFlashFs();
    const older = decodeSlot(readFileSync(join(fixtures, "snapshot-format2-schema1.slot")));
    if (typeof older === "string") throw new Error(older);
    fs.poke("state.a", encodeSlot({ ...older, generation: 5n }));
    fs.poke("state.b", encodeSlot({ formatVersion: 9, generation: 6n, payload: Uint8Array.of(0) }));
    const { service, alarms, restored } = await start(fs);
    t.teardown(() => service.stop());
    t.equal(restored, 4, "the older slot's requests");
    t.match(alarms, [/^raise flash.corrupt-slot: snapshot generation 6 unreadable: .*format 9/]);
    t.equal(alarms.length, 1);
});

t.test("not writable: flash.not-writable raised, cleared when writes work again", async (t) => {
    const fs = new MemoryFlashFs();
    const { service, alarms } = await start(fs);
    t.teardown(() => service.stop());
    fs.faults.writeDurable = "EROFS";
    await t.rejects(service.writer.persist(), { code: /./ });
    t.notOk(service.writer.healthy);
    t.match(alarms, [/^raise flash.not-writable/]);
    delete fs.faults.writeDurable;
    await service.writer.flush();
    t.ok(service.writer.healthy);
    t.match(alarms, [/^raise flash.not-writable/, /^clear flash.not-writable/]);
    const stats = service.writer.stats;
    t.equal(stats.writes, 1);
    t.ok(stats.bytesWritten > 0);
    t.equal(stats.writesLastHour, 1);
});

// Regression (soak): a resent notification failed while the phone had not been seen since the restart — the
// push URL's {device} was unknown, and the screen's URL was issued before the HTTP service was listening.
t.test("a notification in flight at the restart is pushed again to the device named in the snapshot", async (t) => {
    const { createServer } = await import("node:http");
    const paths: string[] = [];
    const server = createServer((req, res) => {
        paths.push(req.url ?? "");
        req.resume();
        req.on("end", () => {
            res.setHeader("Content-Type", "text/xml");
            res.end('<CiscoIPPhoneResponse><ResponseItem Status="0" Data="" URL="x"/></CiscoIPPhoneResponse>');
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;

    const { fs, notified } = notificationInFlight();
    const config = loadConfig({
        env: {},
        overrides: {
            http: { listen: "127.0.0.1:0" },
            log: { level: "silent" },
            phones: { pushUser: "u", pushPassword: "p", pushUrl: `http://127.0.0.1:${port}/{device}/CGI/Execute` },
        },
    });
    // engine time: a second after the notification (within its recall window)
    const at = (notified.notifiedAt ?? 0) + 1000;
    const clock = {
        now: () => at,
        setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
        clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    const service = new CallbackService({ config, fs, timeMode: "live", clock });
    t.teardown(() => service.stop());
    await service.start();
    await waitFor(() => paths.length > 0, "the resent notification");
    t.same(paths, [`/${notified.caller.device}/CGI/Execute`], "pushed to the device the snapshot names");
});

t.test("knowledge: restored from its slot at start, a corrupt newest falls back to the older one", async (t) => {
    const fs = new MemoryFlashFs();
    const known = decodeSlot(readFileSync(join(fixtures, "knowledge-schema1.slot")));
    if (typeof known === "string") throw new Error(known);
    fs.poke("knowledge.a", encodeSlot({ ...known, generation: 4n }));
    fs.poke("knowledge.b", encodeSlot({ formatVersion: 2, generation: 5n, payload: Uint8Array.of(0x12, 0xff) }));
    const { service, alarms } = await start(fs);
    t.teardown(() => service.stop());
    t.match(alarms, [/^raise flash.corrupt-slot: knowledge generation 5 unreadable/]);
    t.match(service.model.knowledgeSummary(), { devices: 2, restored: 2 });
    t.equal(service.model.device("SEP001122334455")?.lines[0]?.dn, "1001");
    t.equal(fs.peek("state.a"), undefined, "no request snapshot written for a restore");
});

t.test("knowledge and requests each have a writer: flash.not-writable clears when both write again", async (t) => {
    const fs = new MemoryFlashFs();
    const { service, alarms } = await start(fs);
    t.teardown(() => service.stop());
    fs.faults.writeDurable = "EROFS";
    await t.rejects(service.writer.persist());
    service.knowledge.writer.persistLater(0);
    await new Promise((r) => setTimeout(r, 20));
    t.notOk(service.knowledge.writer.healthy);
    t.same(
        alarms.filter((a) => a.includes("flash.not-writable")).map((a) => a.split(":")[0]),
        ["raise flash.not-writable"],
        "one alarm for the directory, raised once though both writers failed",
    );
    delete fs.faults.writeDurable;
    await service.writer.flush();
    t.ok(service.writer.healthy);
    t.notOk(
        alarms.some((a) => a.startsWith("clear")),
        "not cleared while the knowledge cannot be written",
    );
    await service.knowledge.writer.flush();
    t.ok(service.knowledge.writer.healthy);
    t.match(alarms.at(-1), /^clear flash.not-writable/);
    t.equal(alarms.filter((a) => a.startsWith("clear flash.not-writable")).length, 1, "and cleared once");
});
