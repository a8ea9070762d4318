/**
 * `callbackd snapshot`: what the state directory holds, read-only (unlike a start, which moves corrupt
 * slots aside): each slot's generation, format and problem, then the requests of the newest snapshot that
 * can be decoded (or all of it as JSON). For support and post-mortems; safe while the service runs.
 */
import type { Writable } from "node:stream";
import type { CallBackRequest } from "../callback/types.js";
import { CallbackdError, describeError } from "../errors.js";
import { NodeFlashFs } from "../store/flashFs.js";
import { decodeSlot, isNewerGeneration, SLOT_NAMES, type SlotRecord } from "../store/slots.js";
import { decodePayload, type SnapshotContent } from "../store/snapshotCodec.js";

/** A state directory with no snapshot at all. */
export class SnapshotMissingError extends CallbackdError {}

/** Prints the slots of `dir` and the newest decodable snapshot; resolves with the exit code. */
export async function runSnapshotInspect(dir: string, json: boolean, out: Writable): Promise<number> {
    const fs = new NodeFlashFs(dir);
    const slots: Array<{ name: string; rec: SlotRecord | null; problem: string | null; bytes: number }> = [];
    for (const name of SLOT_NAMES) {
        let bytes: Uint8Array | null = null;
        try {
            bytes = await fs.read(name);
        } catch (err) {
            slots.push({ name, rec: null, problem: `unreadable: ${describeError(err).message}`, bytes: 0 });
            continue;
        }
        if (bytes === null) {
            slots.push({ name, rec: null, problem: "missing", bytes: 0 });
            continue;
        }
        const rec = decodeSlot(bytes);
        slots.push(
            typeof rec === "string"
                ? { name, rec: null, problem: rec, bytes: bytes.length }
                : { name, rec, problem: null, bytes: bytes.length },
        );
    }
    const valid = slots
        .filter((s) => s.rec !== null)
        .sort((a, b) => (isNewerGeneration(a.rec!.generation, b.rec!.generation) ? -1 : 1));
    let chosen: { name: string; rec: SlotRecord; content: SnapshotContent } | null = null;
    const undecodable: string[] = [];
    for (const s of valid) {
        try {
            chosen = { name: s.name, rec: s.rec!, content: decodePayload(s.rec!.formatVersion, s.rec!.payload) };
            break;
        } catch (err) {
            undecodable.push(`${s.name}: ${describeError(err).message}`);
        }
    }
    if (json) {
        out.write(
            `${JSON.stringify(
                {
                    dir,
                    slots: slots.map((s) => ({
                        name: s.name,
                        bytes: s.bytes,
                        problem: s.problem,
                        generation: s.rec === null ? null : String(s.rec.generation),
                        formatVersion: s.rec?.formatVersion ?? null,
                    })),
                    undecodable,
                    snapshot: chosen === null ? null : { slot: chosen.name, ...chosen.content },
                },
                null,
                2,
            )}\n`,
        );
    } else {
        out.write(`State directory: ${dir}\n`);
        for (const s of slots) {
            const what =
                s.rec === null
                    ? s.problem
                    : `generation ${s.rec.generation}, format ${s.rec.formatVersion}, ${s.bytes} bytes`;
            out.write(`  ${s.name}: ${what}\n`);
        }
        for (const u of undecodable) out.write(`  cannot decode ${u}\n`);
        if (chosen !== null) {
            const { engine, session, outboxAckedEseq } = chosen.content;
            out.write(
                `Snapshot ${chosen.name}: ${engine.requests.length} request(s), MQTT session ${session}, alarm outbox acknowledged to ${outboxAckedEseq}\n`,
            );
            for (const r of engine.requests) out.write(`  ${describeRequest(r)}\n`);
        }
    }
    if (chosen === null) {
        throw new SnapshotMissingError("SNAPSHOT_NONE", `no snapshot that can be decoded in ${dir}`, { dir });
    }
    return 0;
}

function describeRequest(r: CallBackRequest): string {
    const caller = r.caller.name ?? r.caller.device;
    const state = r.suspended ? `${r.phase} (suspended)` : r.phase;
    return `${r.id}  ${caller}${r.caller.dn !== null ? ` (${r.caller.dn})` : ""} → ${r.calledDn}  ${r.trigger}  ${state}  made ${new Date(r.createdAt).toISOString()}  expires ${new Date(r.expiresAt).toISOString()}`;
}
