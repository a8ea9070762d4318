/**
 * Determinism: an office run is recorded from the mirror into a pcap file, then the file is replayed
 * through a fresh CallbackService in capture time; the decisions that come from the wire must be the same.
 *
 * Expected to match (compared below): every CallBackPressed (device, line, called number, trigger, time to
 * the microsecond: a pcap file keeps microseconds, the simulator's clock has finer fractions),
 * the answer to each press (the screen kind pushed, with its number), the requests' activation, suspension,
 * notification and end (id, change/reason, time), and every first Notify (device, number, request, the
 * time shown). Request ids are sequence numbers, so they match too.
 *
 * Not expected to match, left out: what the phones do over HTTP, which is not on the wire (softkeys on the
 * box's screens: Dial, Cancel, OK, Exit; their effects reach the replay only through the calls they make,
 * e.g. Dial shows up as the call that completes the request), push outcomes (the replay has no phones:
 * every push fails, so notification retries and the alarms they raise differ), and the moment a request
 * becomes durable (the flash write is asynchronous: the replay feeds one frame per event-loop turn so it
 * lands before the next frame, as it did live, but its time is not compared).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { EngineEffect } from "../../src/callback/types.js";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { CaptureFileParser } from "../../src/capture/pcapFile.js";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { needTool } from "../helpers/tools.js";
import { startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

/**
 * A capture time as the pcap file stores it: whole seconds and rounded microseconds, split the way
 * PcapFileWriter splits them (rounding t·1e6 as a whole loses the last microsecond to float error).
 */
function pcapMicros(t: number): string {
    const sec = Math.floor(t);
    return `${sec}${String(Math.round((t - sec) * 1e6)).padStart(6, "0")}`;
}

/** The decisions that come from the wire, as comparable strings. */
function decisions(seen: ReadonlyArray<ClusterEvent | EngineEffect>): string[] {
    const out: string[] = [];
    for (const e of seen) {
        switch (e.type) {
            case "CallBackPressed":
                out.push(`press ${e.name} line=${e.line} dn=${e.calledDn} trigger=${e.trigger} t=${pcapMicros(e.t)}µs`);
                break;
            case "ShowScreen":
                // screens answering a phone's HTTP action (reply) are not on the wire
                if (e.reply === undefined) out.push(`screen ${e.device} ${e.kind} ${e.params.dn ?? ""} ref=${e.ref}`);
                break;
            case "RequestChanged":
                out.push(`request ${e.id} ${e.change} dn=${e.request.calledDn} caller=${e.request.caller.device}`);
                break;
            case "Notify":
                if (e.attempt === 1) out.push(`notify ${e.device} dn=${e.dn} ref=${e.ref} time=${e.phoneTime.epochMs}`);
                break;
            case "RequestEnded":
                // a request that could not be notified (the replay has no phones) is not a wire decision
                if (e.reason !== "notify-failed") out.push(`ended ${e.id} ${e.reason}`);
                break;
            default:
                break;
        }
    }
    return out;
}

t.test("a run replayed from its pcap makes the same decisions", { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-replay-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "office.pcap");
    const writer = new PcapFileWriter(file, 1, 65535, 1 << 16, { fsync: false });
    const o = await startOffice(
        [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }],
        { callback: { protectionWindowMs: 5000, guardTimeMs: 1000 } },
        new MemoryFlashFs(),
        false,
        { tee: writer },
    );
    let stopped = false;
    t.teardown(async () => {
        if (!stopped) await o.stop();
    });
    const notified = (dn: string) => o.screenTexts(dn).some((s) => s.startsWith("1002 has become available"));
    // A number that is not in the cluster.
    await o.branch.call("1005", "2999");
    await o.until(() => o.branch.phone("1005").tone === 0x25, "1005 hears reorder");
    await o.branch.press("1005", "CallBack", { force: true });
    await o.until(() => o.screenTexts("1005").length === 1, "the not-found screen");
    await o.branch.hangUp("1005");
    // 1003 and 1004 both ask for 1002, busy with 1001.
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    for (const caller of ["1003", "1004"]) {
        await o.branch.call(caller, "1002");
        await o.until(() => o.branch.phone(caller).tone === 0x23, `${caller} hears busy`);
        await o.branch.press(caller, "CallBack");
        await o.until(() => o.screenTexts(caller).some((s) => s.includes("activated on 1002")), `${caller} activated`);
        await o.branch.hangUp(caller);
    }
    await o.branch.hangUp("1002");
    await o.until(() => notified("1003"), "1003 notified");
    await o.xsi.get(o.branch.phone("1003").ip)!.pressSoftKey("Dial");
    await o.until(() => o.seen.some((e) => e.type === "RequestEnded" && e.reason === "completed"), "1003 dialled");
    await o.branch.answer("1002");
    await o.branch.advance(2000);
    await o.branch.hangUp("1003");
    await o.until(() => notified("1004"), "1004 notified");
    await o.branch.advance(1000);
    stopped = true;
    await o.stop();
    writer.close();
    const live = decisions(o.seen);
    t.ok(live.filter((d) => d.startsWith("notify")).length === 2, "two notifications in the live run");

    // The replay: a fresh service on the capture's clock, fed the file one frame per event-loop turn.
    const seen: Array<ClusterEvent | EngineEffect> = [];
    const replay = new CallbackService({
        config: o.service.config,
        fs: new MemoryFlashFs(),
        timeMode: "capture",
        onEvent: (e) => seen.push(e),
    });
    await replay.start();
    t.teardown(() => replay.stop());
    const frames: CapturedFrame[] = [];
    const parser = new CaptureFileParser();
    parser.push(readFileSync(file), (f) => frames.push({ ...f }));
    parser.end();
    t.equal(frames.length, writer.frames, "every recorded frame read back");
    for (const f of frames) {
        replay.onFrame(f);
        await new Promise((r) => setImmediate(r));
    }
    replay.tick();
    const replayed = decisions(seen);
    t.same(replayed, live, "the same decisions");
    t.ok(
        live.some((d) => d.includes("notFound 2999")),
        "including the refusal",
    );
});
