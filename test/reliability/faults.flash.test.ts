/**
 * Fault: the state directory fills up or turns read-only under the running service (a real 64 KiB tmpfs,
 * real files, real fsync). New activations answer "Call Back Service Failure." and flash.not-writable is
 * raised; when space or write access returns the service recovers by itself, the alarm clears, new
 * activations work, and every request acknowledged before, during and after the fault is on flash.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { CallbackService } from "../../src/service/callbackService.js";
import { type MemoryFlashFs, NodeFlashFs } from "../../src/store/flashFs.js";
import { activated, type Office, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS } from "../helpers/wait.js";

const FAILURE = "Call Back Service Failure.";

/** Mounts a small tmpfs at a new temp directory, or explains why it cannot. */
function mountTmpfs(): { dir: string; umount(): void } | string {
    if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
    const dir = mkdtempSync(join(tmpdir(), "cbk-flash-"));
    const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir], { encoding: "utf8" });
    if (r.status !== 0) {
        rmSync(dir, { recursive: true, force: true });
        return `mount -t tmpfs is not permitted here (${(r.stderr ?? "").trim() || r.error?.message})`;
    }
    return {
        dir,
        umount() {
            spawnSync("umount", ["-l", dir]);
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

const probe = mountTmpfs();
if (typeof probe !== "string") probe.umount();
const skip =
    needTool("xmllint", "libxml2-utils") ||
    needTool("mount", "mount", ["--version"]) ||
    (typeof probe === "string" ? probe : false);

/** Fills the file system at `dir` with one file; returns its path. */
function fill(dir: string): string {
    const path = join(dir, "filler");
    const chunk = Buffer.alloc(4096, 0x55);
    let data = Buffer.alloc(0);
    for (let n = 1; n <= 64; n++) {
        try {
            data = Buffer.concat([data, chunk]);
            writeFileSync(path, data);
        } catch {
            break;
        }
    }
    return path;
}

/** Waits in real time (the snapshot writer retries on real timers, every 5 s) until `cond` holds. */
async function realTime(cond: () => boolean, what: string, ms = HANG_MS): Promise<void> {
    const end = performance.now() + ms;
    while (!cond()) {
        if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

/** `caller` calls the busy `callee` and presses CallBack; resolves with the screen that answered. */
async function press(o: Office, caller: string, callee: string): Promise<string> {
    const before = o.screenTexts(caller).length;
    await o.branch.call(caller, callee);
    await o.until(() => o.branch.phone(caller).tone === 0x23, `${caller} hears busy`);
    await o.branch.press(caller, "CallBack");
    await o.until(() => o.screenTexts(caller).length > before, `${caller}'s answer`);
    const answer = o.screenTexts(caller).at(-1) ?? "";
    await o.branch.hangUp(caller);
    return answer;
}

t.test("state directory full, then read-only, under the running service", { skip }, async (t) => {
    const mount = mountTmpfs();
    if (typeof mount === "string") throw new Error(mount);
    t.teardown(() => mount.umount());
    const stateDir = join(mount.dir, "state");
    mkdirSync(stateDir);
    const fs = new NodeFlashFs(stateDir);
    const alarms: string[] = [];
    const o = await startOffice(
        [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }, { dn: "1006" }],
        {},
        fs as unknown as MemoryFlashFs,
        false,
        { onAlarm: (id, action) => alarms.push(`${id} ${action}`) },
    );
    t.teardown(() => o.stop());
    // 1002 is busy with 1001 for the whole test.
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");

    t.equal(await press(o, "1003", "1002"), activated("1002"), "healthy: 1003 activated");

    // Full: ENOSPC on the next snapshot.
    const filler = fill(mount.dir);
    t.equal(await press(o, "1004", "1002"), FAILURE, "disk full: the activation fails at once");
    t.same(alarms, ["flash.not-writable raise"]);
    t.equal(o.service.state.requests.length, 1, "only the acknowledged request is kept");

    // Space returns: the writer's retry notices by itself (no command, no restart).
    unlinkSync(filler);
    await realTime(() => alarms.includes("flash.not-writable clear"), "the alarm to clear");
    t.equal(await press(o, "1004", "1002"), activated("1002"), "space back: 1004 activated");

    // Read-only: the partition is remounted ro under the service.
    t.equal(spawnSync("mount", ["-o", "remount,ro", mount.dir]).status, 0, "remounted read-only");
    t.equal(await press(o, "1005", "1002"), FAILURE, "read-only: the activation fails");
    t.same(alarms.slice(2), ["flash.not-writable raise"]);
    t.equal(spawnSync("mount", ["-o", "remount,rw", mount.dir]).status, 0, "remounted read-write");
    await realTime(() => alarms.filter((a) => a === "flash.not-writable clear").length === 2, "recovery");
    t.equal(await press(o, "1005", "1002"), activated("1002"), "writable again: 1005 activated");
    await o.service.writer.flush();

    // Nothing acknowledged was lost: a fresh service on the same directory restores all three.
    const again = new CallbackService({ config: o.service.config, fs: new NodeFlashFs(stateDir), timeMode: "capture" });
    const { restored } = await again.start();
    await again.stop();
    t.equal(restored, 3, "the three acknowledged requests are on flash");
    t.same(
        again.state.requests.map((r) => r.calledDn),
        ["1002", "1002", "1002"],
    );
});
