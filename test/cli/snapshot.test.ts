import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { MAX_STATE_FILE_BYTES, NodeFlashFs } from "../../src/store/flashFs.js";
import { SlotStore } from "../../src/store/slots.js";
import { cli } from "./helpers.js";

const fixture = join(import.meta.dirname, "../fixtures/store/snapshot-format2-schema1.slot");

t.test("snapshot: both slots described, the newest decodable one listed, nothing moved", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-snap-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(fixture, join(dir, "state.a"));
    writeFileSync(join(dir, "state.b"), Buffer.from("torn write"));
    const r = await cli(["snapshot", "--dir", dir]);
    t.equal(r.code, 0, r.err);
    t.match(r.out, /state\.a: generation \d+, format 2, \d+ bytes/);
    t.match(r.out, /state\.b: bad-/);
    t.match(r.out, /Snapshot state\.a: 4 request\(s\), MQTT session 7, alarm outbox acknowledged to 42/);
    t.equal(r.out.split("\n").filter((l) => / → /.test(l)).length, 4, "one line per request");
    t.ok(existsSync(join(dir, "state.b")), "the corrupt slot is left where it is (read-only)");

    const j = await cli(["snapshot", "--dir", dir, "--json"]);
    const doc = JSON.parse(j.out) as { snapshot: { slot: string; engine: { requests: unknown[] } }; slots: unknown[] };
    t.equal(doc.snapshot.slot, "state.a");
    t.equal(doc.snapshot.engine.requests.length, 4);
    t.equal(doc.slots.length, 4, "the request slots and the knowledge slots");

    // the state directory from the configuration
    const fromConfig = await cli(["snapshot"], { CALLBACKD_STATE_DIR: dir });
    t.equal(fromConfig.code, 0, fromConfig.err);
});

t.test("snapshot: what the box learned about the phones, one line each (schema 2)", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-snap-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(import.meta.dirname, "../fixtures/store/knowledge-schema1.slot"), join(dir, "knowledge.a"));
    const r = await cli(["snapshot", "--dir", dir]);
    t.equal(r.code, 0, r.err);
    t.match(
        r.out,
        /Knowledge: 2 phone\(s\) \(1 learned at registration, 1 from traffic\), 2 softkey template\(s\), 2 CallManager\(s\)/,
    );
    t.match(r.out, /\n {2}SEP001122334455 {2}10\.102\.10\.209 {2}Cisco IP Phone 7960 {2}1001 {2}last seen 2026-\S+\n/);
    t.match(r.out, /\n {2}@10\.102\.10\.77 {2}10\.102\.10\.77 {2}model unknown {2}1077 {2}last seen \S+\n/);
    t.match(r.out, /state\.a: missing/, "knowledge without requests (no call-back yet)");
    const j = JSON.parse((await cli(["snapshot", "--dir", dir, "--json"])).out);
    t.equal(j.knowledge.slot, "knowledge.a");
    t.equal(j.knowledge.devices.length, 2);
    t.equal(j.snapshot, null);
    // a state directory written before knowledge was kept
    rmSync(join(dir, "knowledge.a"));
    copyFileSync(fixture, join(dir, "state.a"));
    t.match((await cli(["snapshot", "--dir", dir])).out, /Knowledge: none \(nothing learned yet/);
});

t.test("snapshot: an empty state directory is an error with a code", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-snap-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const r = await cli(["snapshot", "--dir", dir]);
    t.equal(r.code, 1);
    t.match(r.out, /state\.a: missing/);
    t.match(r.err, /SNAPSHOT_NONE/);
    t.equal((await cli(["snapshot", "--bogus"])).code, 2, "usage error");
});

t.test(
    "snapshot: a slot that is a FIFO or a link to /dev/zero neither hangs nor fills memory (issue T item 7)",
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "cbk-snap-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        symlinkSync("/dev/zero", join(dir, "state.a"));
        execFileSync("mkfifo", [join(dir, "state.b")]);
        const r = await cli(["snapshot", "--dir", dir]);
        t.equal(r.code, 1);
        t.match(r.out, /state\.a: unreadable: .*not a regular file \(a character device\)/);
        t.match(r.out, /state\.b: unreadable: .*not a regular file \(a FIFO\)/);
        // the service itself starts from nothing, with the slots reported
        const store = new SlotStore(new NodeFlashFs(dir));
        const loaded = await store.load();
        t.equal(loaded.record, null);
        t.same(
            loaded.slots.map((s) => s.problem),
            ["unreadable", "unreadable"],
        );
        // a slot over the size cap is not read whole
        rmSync(join(dir, "state.a"));
        const big = join(dir, "state.a");
        writeFileSync(big, "");
        truncateSync(big, MAX_STATE_FILE_BYTES + 1);
        t.match((await cli(["snapshot", "--dir", dir])).out, /state\.a: unreadable: .*larger than/);
    },
);
