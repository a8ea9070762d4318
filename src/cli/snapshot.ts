/**
 * `callbackd snapshot`: what the state directory holds, read-only (unlike a start, which moves corrupt
 * slots aside): each slot's generation, format and problem, then the requests of the newest snapshot that
 * can be decoded (or all of it as JSON). For support and post-mortems; safe while the service runs.
 */
import type { Writable } from "node:stream";
import type { CallBackRequest } from "../callback/types.js";
import { type KnowledgeSnapshot, lackingInSnapshot, modelOf } from "../cluster/knowledge.js";
import { CallbackdError, describeError } from "../errors.js";
import { NodeFlashFs } from "../store/flashFs.js";
import { decodeKnowledge } from "../store/knowledgeCodec.js";
import { decodeSlot, isNewerGeneration, KNOWLEDGE_SLOT_NAMES, SLOT_NAMES, type SlotRecord } from "../store/slots.js";
import { decodePayload, type SnapshotContent } from "../store/snapshotCodec.js";

/** A state directory with no snapshot at all. */
export class SnapshotMissingError extends CallbackdError {}

/** One slot file as found: its record, or why it has none. */
export interface SlotFound {
    name: string;
    rec: SlotRecord | null;
    problem: string | null;
    bytes: number;
}

/** The newest record of a slot pair that decodes, with what it decoded to. */
export interface Chosen<T> {
    name: string;
    rec: SlotRecord;
    content: T;
}

/** What a state directory holds, read without changing anything. */
export interface StateDirectoryContents {
    /** Both pairs' slots: the requests' (state.*), then the knowledge's. */
    slots: SlotFound[];
    /** The newest request snapshot that decodes. */
    chosen: Chosen<SnapshotContent> | null;
    /** The newest knowledge that decodes. */
    knowledge: Chosen<KnowledgeSnapshot> | null;
    /** Valid slots whose payload did not decode (e.g. a newer release's). */
    undecodable: string[];
}

/** Reads a slot pair and decodes the newest record it can. */
async function readPair<T>(
    fs: NodeFlashFs,
    names: readonly string[],
    decode: (rec: SlotRecord) => T,
    undecodable: string[],
): Promise<{ slots: SlotFound[]; chosen: Chosen<T> | null }> {
    const slots: SlotFound[] = [];
    for (const name of names) {
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
    for (const s of valid) {
        try {
            return { slots, chosen: { name: s.name, rec: s.rec!, content: decode(s.rec!) } };
        } catch (err) {
            undecodable.push(`${s.name}: ${describeError(err).message}`);
        }
    }
    return { slots, chosen: null };
}

/** Reads both slot pairs of `dir` and decodes the newest of each it can (read-only, safe while the service runs). */
export async function readStateDirectory(dir: string): Promise<StateDirectoryContents> {
    const fs = new NodeFlashFs(dir);
    const undecodable: string[] = [];
    const requests = await readPair(fs, SLOT_NAMES, (r) => decodePayload(r.formatVersion, r.payload), undecodable);
    const knowledge = await readPair(fs, KNOWLEDGE_SLOT_NAMES, (r) => decodeKnowledge(r.payload), undecodable);
    return {
        slots: [...requests.slots, ...knowledge.slots],
        chosen: requests.chosen,
        knowledge: knowledge.chosen,
        undecodable,
    };
}

/** Prints the slots of `dir` and the newest decodable snapshot; resolves with the exit code. */
export async function runSnapshotInspect(dir: string, json: boolean, out: Writable): Promise<number> {
    const { slots, chosen, knowledge, undecodable } = await readStateDirectory(dir);
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
                    knowledge: knowledge === null ? null : { slot: knowledge.name, ...knowledge.content },
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
        describeKnowledge(knowledge?.content ?? null, out);
    }
    if (chosen === null && knowledge === null) {
        throw new SnapshotMissingError("SNAPSHOT_NONE", `no snapshot that can be decoded in ${dir}`, { dir });
    }
    return 0;
}

function describeRequest(r: CallBackRequest): string {
    const caller = r.caller.name ?? r.caller.device;
    const state = r.suspended ? `${r.phase} (suspended)` : r.phase;
    return `${r.id}  ${caller}${r.caller.dn !== null ? ` (${r.caller.dn})` : ""} → ${r.calledDn}  ${r.trigger}  ${state}  made ${new Date(r.createdAt).toISOString()}  expires ${new Date(r.expiresAt).toISOString()}`;
}

/** What the box learned about the cluster: one line per phone (name, address, model, numbers, what it lacks). */
function describeKnowledge(k: KnowledgeSnapshot | null, out: Writable): void {
    if (k === null) {
        out.write("Knowledge: none (nothing learned yet, or the state was written by a release before 0.2)\n");
        return;
    }
    const byReg = k.devices.filter((d) => d.learnedBy === "registration").length;
    out.write(
        `Knowledge: ${k.devices.length} phone(s) (${byReg} learned at registration, ${k.devices.length - byReg} from traffic), ${k.templates.length} softkey template(s), ${k.callManagers.length} CallManager(s)\n`,
    );
    const lacking = new Map(lackingInSnapshot(k).map((x) => [x.device, x.missing]));
    for (const d of k.devices) {
        const missing = lacking.get(d) ?? [];
        const dns = d.lines.map((l) => l.dn).filter((dn) => dn !== null);
        out.write(
            `  ${d.name ?? d.key}  ${d.ip ?? "-"}  ${modelOf(d.deviceType).model ?? "model unknown"}  ${dns.length > 0 ? dns.join(",") : "no numbers"}  last seen ${iso(d.lastSeen)}${missing.length > 0 ? `  lacks ${missing.join(" and ")}` : ""}\n`,
        );
    }
}

function iso(s: number): string {
    return new Date(s * 1000).toISOString();
}
