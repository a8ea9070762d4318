import { crc32 } from "node:zlib";
import { CallbackdError, describeError } from "../errors.js";
import type { FlashFs } from "./flashFs.js";

/**
 * Two snapshot slots (A/B) on flash. Each write goes to the slot not holding the newest snapshot, via a
 * temp file: write, fsync, rename, fsync of the directory. A power cut at any point leaves the previous
 * snapshot intact in the other slot, so loading always finds "the last good one, or the new one".
 *
 * Record layout (little-endian):
 *   magic "CBKS" | formatVersion u16 | flags u16 | generation u64 | length u32 | payload | crc32 u32
 * The CRC covers everything before it.
 */

/** Failures of the store, with stable codes. */
export class StoreError extends CallbackdError {}

export const SLOT_NAMES = ["state.a", "state.b"] as const;
/** The slot pair of the cluster knowledge (what the box learned about phones), written apart from requests. */
export const KNOWLEDGE_SLOT_NAMES = ["knowledge.a", "knowledge.b"] as const;

/** The two file names of a slot pair. */
export type SlotNames = readonly [string, string];
const MAGIC = 0x534b4243; // "CBKS" read little-endian
const HEADER = 4 + 2 + 2 + 8 + 4;
const TRAILER = 4;
/** Snapshots larger than this are refused (on write) and treated as corrupt (on read). */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

export interface SlotRecord {
    formatVersion: number;
    generation: bigint;
    payload: Uint8Array;
}

/** Why a slot could not be used. */
export type SlotProblem = "missing" | "bad-magic" | "bad-length" | "bad-crc" | "unreadable";

export interface SlotReport {
    name: string;
    problem: SlotProblem | null;
    generation: bigint | null;
    bytes: number;
}

export interface LoadResult {
    /** The newest valid snapshot, or null when neither slot holds one. */
    record: SlotRecord | null;
    /** The other slot's snapshot when it is valid too (older): the fallback when the newest cannot be decoded. */
    older: SlotRecord | null;
    slots: [SlotReport, SlotReport];
    /** Corrupt slot files moved aside as `<name>.corrupt-<time>` (kept for a post-mortem). */
    quarantined: string[];
}

const GENERATION_MASK = (1n << 64n) - 1n;
const HALF = 1n << 63n;

/** The generation after `g`: the u64 field wraps from 2^64−1 to 0. */
export function nextGeneration(g: bigint): bigint {
    return (g + 1n) & GENERATION_MASK;
}

/**
 * Whether generation `a` is newer than `b`, in serial-number arithmetic (RFC 1982) over the u64 field: the
 * two slots are one write apart, so after the wrap 0 is newer than 2^64−1 (a plain `<` would keep the old
 * slot and lose the new one silently).
 */
export function isNewerGeneration(a: bigint, b: bigint): boolean {
    const d = (a - b) & GENERATION_MASK;
    return d !== 0n && d < HALF;
}

/** Encodes one slot record. */
export function encodeSlot(rec: SlotRecord): Uint8Array {
    const out = new Uint8Array(HEADER + rec.payload.length + TRAILER);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint16(4, rec.formatVersion, true);
    dv.setUint16(6, 0, true);
    dv.setBigUint64(8, rec.generation, true);
    dv.setUint32(16, rec.payload.length, true);
    out.set(rec.payload, HEADER);
    dv.setUint32(HEADER + rec.payload.length, crc32(out.subarray(0, HEADER + rec.payload.length)), true);
    return out;
}

/** Decodes one slot record, or says what is wrong with it. */
export function decodeSlot(bytes: Uint8Array): SlotRecord | SlotProblem {
    if (bytes.length < HEADER + TRAILER) return "bad-length";
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0, true) !== MAGIC) return "bad-magic";
    const length = dv.getUint32(16, true);
    if (length > MAX_SNAPSHOT_BYTES || HEADER + length + TRAILER !== bytes.length) return "bad-length";
    if (dv.getUint32(HEADER + length, true) !== crc32(bytes.subarray(0, HEADER + length))) return "bad-crc";
    return {
        formatVersion: dv.getUint16(4, true),
        generation: dv.getBigUint64(8, true),
        payload: bytes.slice(HEADER, HEADER + length),
    };
}

export interface SlotStoreStats {
    writes: number;
    bytesWritten: number;
    failures: number;
    lastWriteGeneration: bigint | null;
}

/** An A/B slot pair in one directory (the requests' `state.*` by default). */
export class SlotStore {
    readonly #fs: FlashFs;
    readonly #names: SlotNames;
    /** Generation of the newest snapshot on flash (0 when none). */
    #generation = 0n;
    /** Index of the slot holding the newest snapshot, or -1. */
    #newest = -1;
    readonly stats: SlotStoreStats = { writes: 0, bytesWritten: 0, failures: 0, lastWriteGeneration: null };
    readonly #now: () => number;

    constructor(fs: FlashFs, now: () => number = Date.now, names: SlotNames = SLOT_NAMES) {
        this.#fs = fs;
        this.#now = now;
        this.#names = names;
    }

    /** The slot files' names. */
    get names(): SlotNames {
        return this.#names;
    }

    get generation(): bigint {
        return this.#generation;
    }

    /**
     * Loads the newest record `decode` accepts: the newest slot first, the older one when it cannot be
     * decoded (e.g. written by a newer release after a downgrade). Each corrupt slot and each record that
     * does not decode is told to `corrupt` (the caller raises flash.corrupt-slot); `slots`: a line per slot.
     */
    async loadDecoded<T>(
        decode: (record: SlotRecord) => T,
        label: string,
        corrupt: (details: string) => void,
    ): Promise<{ value: T | null; slots: string[] }> {
        const loaded = await this.load();
        const slots = loaded.slots.map((s) => `${s.name}: ${s.problem ?? `generation ${s.generation}`}`);
        for (const s of loaded.slots) {
            if (s.problem !== null && s.problem !== "missing") corrupt(`${s.name}: ${s.problem}`);
        }
        for (const record of [loaded.record, loaded.older]) {
            if (record === null) continue;
            try {
                return { value: decode(record), slots };
            } catch (err) {
                corrupt(`${label} generation ${record.generation} unreadable: ${describeError(err).message}`);
            }
        }
        return { value: null, slots };
    }

    /** Reads both slots, picks the newest valid one, moves corrupt ones aside, removes stale temp files. */
    async load(): Promise<LoadResult> {
        const reports: SlotReport[] = [];
        const valid: Array<{ i: number; rec: SlotRecord }> = [];
        const quarantined: string[] = [];
        for (const [i, name] of this.#names.entries()) {
            let bytes: Uint8Array | null;
            try {
                bytes = await this.#fs.read(name);
            } catch {
                reports.push({ name, problem: "unreadable", generation: null, bytes: 0 });
                continue;
            }
            if (bytes === null) {
                reports.push({ name, problem: "missing", generation: null, bytes: 0 });
                continue;
            }
            const rec = decodeSlot(bytes);
            if (typeof rec === "string") {
                reports.push({ name, problem: rec, generation: null, bytes: bytes.length });
                const aside = `${name}.corrupt-${this.#now()}`;
                try {
                    await this.#fs.rename(name, aside);
                    await this.#fs.syncDir();
                    quarantined.push(aside);
                } catch {
                    // Leave it; the next write replaces it anyway.
                }
                continue;
            }
            reports.push({ name, problem: null, generation: rec.generation, bytes: bytes.length });
            valid.push({ i, rec });
        }
        // only this pair's: another pair in the directory may be writing its own
        const temps = new Set(this.#names.map((n) => `${n}.tmp`));
        for (const f of await this.#fs.list().catch(() => [] as string[])) {
            if (temps.has(f)) await this.#fs.remove(f).catch(() => undefined);
        }
        valid.sort((a, b) => (isNewerGeneration(a.rec.generation, b.rec.generation) ? -1 : 1));
        const best = valid[0];
        this.#newest = best?.i ?? -1;
        this.#generation = best?.rec.generation ?? 0n;
        return {
            record: best?.rec ?? null,
            older: valid[1]?.rec ?? null,
            slots: reports as [SlotReport, SlotReport],
            quarantined,
        };
    }

    /** Durably writes a new snapshot into the older slot; resolves once it would survive a power cut. */
    async write(formatVersion: number, payload: Uint8Array): Promise<bigint> {
        if (payload.length > MAX_SNAPSHOT_BYTES) {
            throw new StoreError(
                "STORE_TOO_LARGE",
                `snapshot of ${payload.length} bytes exceeds ${MAX_SNAPSHOT_BYTES}`,
            );
        }
        const generation = nextGeneration(this.#generation);
        const target = this.#newest === 0 ? 1 : 0;
        const name = this.#names[target];
        const tmp = `${name}.tmp`;
        const bytes = encodeSlot({ formatVersion, generation, payload });
        try {
            await this.#fs.writeDurable(tmp, bytes);
            await this.#fs.rename(tmp, name);
            await this.#fs.syncDir();
        } catch (err) {
            this.stats.failures++;
            const code = (err as NodeJS.ErrnoException).code ?? "EIO";
            throw new StoreError(
                "STORE_WRITE_FAILED",
                `snapshot write failed (${code})`,
                { errno: code },
                { cause: err },
            );
        }
        this.#generation = generation;
        this.#newest = target;
        this.stats.writes++;
        this.stats.bytesWritten += bytes.length;
        this.stats.lastWriteGeneration = generation;
        return generation;
    }
}
