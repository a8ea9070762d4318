/**
 * An injected failure at every step of the write sequence (open, write, fsync, rename, directory open,
 * directory fsync) on real files, and at every FlashFs operation in memory (with and without a power cut
 * after it): the write is not acknowledged, the previous snapshot still loads, and the next write works.
 */
import { constants, promises as fsp, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { SlotStore } from "../../src/store/slots.js";
import { SnapshotWriter } from "../../src/store/snapshotWriter.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

type Step = "open" | "write" | "fsync" | "close" | "rename" | "open-dir" | "fsync-dir";
const STEPS: Step[] = ["open", "write", "fsync", "close", "rename", "open-dir", "fsync-dir"];

/** node:fs whose promises API fails once at `failing` (with EIO), counting the steps it saw. */
function faultyFs(state: { failing: Step | null; seen: Step[] }) {
    const hit = (step: Step): void => {
        state.seen.push(step);
        if (state.failing === step) {
            state.failing = null;
            const err = new Error(`${step}: injected EIO`) as NodeJS.ErrnoException;
            err.code = "EIO";
            throw err;
        }
    };
    const promises = {
        ...fsp,
        open: async (path: string, flags: number, mode?: number) => {
            const dir = (flags & constants.O_CREAT) === 0;
            hit(dir ? "open-dir" : "open");
            const fh = await fsp.open(path, flags, mode);
            return {
                write: async (data: Uint8Array, off: number, len: number) => {
                    hit("write");
                    return fh.write(data, off, len);
                },
                sync: async () => {
                    hit(dir ? "fsync-dir" : "fsync");
                    return fh.sync();
                },
                close: async () => {
                    if (!dir) hit("close");
                    return fh.close();
                },
            };
        },
        rename: async (from: string, to: string) => {
            hit("rename");
            return fsp.rename(from, to);
        },
    };
    return { constants, promises };
}

t.test("real files: a failure at each step of the write leaves the previous snapshot loading", async (t) => {
    const state: { failing: Step | null; seen: Step[] } = { failing: null, seen: [] };
    const { NodeFlashFs } = await t.mockImport<typeof import("../../src/store/flashFs.js")>(
        "../../src/store/flashFs.js",
        { "node:fs": faultyFs(state) },
    );
    // One clean write to learn the sequence: every step in it gets a failure below.
    const probeDir = mkdtempSync(join(tmpdir(), "callbackd-wfail-"));
    t.teardown(() => rmSync(probeDir, { recursive: true, force: true }));
    await new SlotStore(new NodeFlashFs(probeDir)).write(2, text("probe"));
    t.same(state.seen, STEPS, "the write sequence: open, write, fsync, close, rename, directory open + fsync");

    for (const step of STEPS) {
        const dir = mkdtempSync(join(tmpdir(), "callbackd-wfail-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const fs = new NodeFlashFs(dir);
        const store = new SlotStore(fs);
        let payload = "v1";
        const writer = new SnapshotWriter(
            store,
            { snapshot: () => ({ formatVersion: 2, payload: text(payload) }) },
            { retryMs: 3_600_000 },
        );
        await writer.persist();
        payload = "v2";
        state.failing = step;
        const err = await writer.persist().catch((e: unknown) => e);
        t.match(err, { code: "STORE_WRITE_FAILED", message: /EIO/ }, `${step}: the change is not acknowledged`);
        t.equal(state.failing, null, `${step}: the failure was hit`);

        const after = await new SlotStore(new NodeFlashFs(dir)).load();
        t.same(after.quarantined, [], `${step}: no torn slot`);
        const older = await fs.read("state.a");
        t.ok(older !== null, `${step}: the previous slot is untouched`);
        // Before the rename the new snapshot does not exist; after it, the rename may already be visible.
        const got = str(after.record?.payload);
        if (STEPS.indexOf(step) <= STEPS.indexOf("rename")) t.equal(got, "v1", `${step}: the previous slot loads`);
        else t.ok(got === "v1" || got === "v2", `${step}: a valid snapshot loads (${got})`);

        // The fault is gone: the next write succeeds and is what loads.
        payload = "v3";
        await writer.flush();
        t.equal(str((await new SlotStore(new NodeFlashFs(dir)).load()).record?.payload), "v3", `${step}: recovers`);
        writer.close();
    }
});

t.test("in memory: a fault at each operation, with and without a power cut after it", async (t) => {
    const ops = ["writeDurable", "rename", "syncDir"] as const;
    for (const op of ops) {
        for (const cut of [false, true]) {
            const fs = new MemoryFlashFs();
            const store = new SlotStore(fs);
            await store.write(2, text("v1"));
            await store.write(2, text("v2"));
            fs.faults[op] = "EIO";
            await t.rejects(store.write(2, text("v3")), { code: "STORE_WRITE_FAILED" }, `${op}: rejected`);
            delete fs.faults[op];
            if (cut) fs.crash();
            const loaded = await new SlotStore(fs).load();
            const got = str(loaded.record?.payload);
            const label = `${op}${cut ? " then power cut" : ""}`;
            t.same(loaded.quarantined, [], `${label}: no corrupt slot`);
            if (op !== "syncDir") t.equal(got, "v2", `${label}: the previous snapshot loads`);
            else t.ok(got === "v2" || got === "v3", `${label}: the previous or the new snapshot loads (${got})`);
            t.equal(str(decodeOther(fs, loaded.record?.generation)), got === "v3" ? "v2" : "v1", `${label}: A/B`);
        }
    }
});

/** Payload of the slot not holding generation `gen` (the one before it). */
function decodeOther(fs: MemoryFlashFs, gen: bigint | undefined): Uint8Array | undefined {
    for (const name of ["state.a", "state.b"]) {
        const b = fs.peek(name);
        if (b === undefined) continue;
        const g = new DataView(b.buffer, b.byteOffset).getBigUint64(8, true);
        if (g !== gen) return b.subarray(20, b.length - 4);
    }
    return undefined;
}
