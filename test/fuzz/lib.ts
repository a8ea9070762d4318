/**
 * Shared fuzzing harness: fast-check targets with a fixed seed and a bounded number of runs in the normal
 * test suite, or a time budget and a fresh seed for long runs (`scripts/fuzz.mjs` sets FUZZ_SECONDS,
 * FUZZ_SEED and FUZZ_REPORT). Every failure is shrunk. A long run saves it under test/fixtures/fuzz/<area>/,
 * replayed by every later run, so a crash found once stays a regression test; `npm test` writes nothing into
 * the tree: its failure names the seed and prints the shrunk input (FUZZ_SAVE=1 saves it as a long run does).
 */
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { Test } from "tap";
import { CallbackdError } from "../../src/errors.js";

/** Directory of saved crash inputs (regression fixtures). */
export const FIXTURES = new URL("../fixtures/fuzz/", import.meta.url).pathname;
const LONG_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
/** True in a long run (time budget instead of a run count). */
export const LONG = LONG_SECONDS > 0;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const REPORT = process.env.FUZZ_REPORT;
/** Crash inputs go into the fixtures only in a long run (scripts/fuzz.mjs) or when asked to. */
const SAVE = LONG || process.env.FUZZ_SAVE === "1";
/** Longest counterexample printed in a failure (hex or JSON characters); the rest is cut. */
const PRINT_MAX = 64 * 1024;
// Bigger collections than fast-check's default "small": streams of many segments, long byte runs.
fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: "medium" });

/** One fuzz target: an input generator and a check that throws when a property is broken. */
export interface Target<T> {
    name: string;
    arb: fc.Arbitrary<T>;
    check(input: T): void | Promise<void>;
    /** Runs in the bounded (CI) mode. */
    runs: number;
    /** True when `check` returns a promise. */
    async?: boolean;
    /** How a crash input is saved; default: raw bytes (T must be a Uint8Array). */
    save?: "bin" | "json";
    /** JSON inputs that are not plain JSON (Uint8Array fields): revive after reading. */
    revive?(json: unknown): T;
}

/** JSON replacer that stores byte arrays as {hex}. */
function replacer(_k: string, v: unknown): unknown {
    return v instanceof Uint8Array ? { $hex: Buffer.from(v).toString("hex") } : v;
}
/** JSON reviver for `replacer`. */
function reviver(_k: string, v: unknown): unknown {
    if (typeof v === "object" && v !== null && "$hex" in v && Object.keys(v).length === 1) {
        return Uint8Array.from(Buffer.from(String((v as { $hex: string }).$hex), "hex"));
    }
    return v;
}

function serialize<T>(target: Target<T>, input: T): Buffer {
    if ((target.save ?? "bin") === "bin") return Buffer.from(input as unknown as Uint8Array);
    return Buffer.from(`${JSON.stringify(input, replacer, 1)}\n`);
}

function deserialize<T>(target: Target<T>, data: Buffer): T {
    if ((target.save ?? "bin") === "bin") return new Uint8Array(data) as unknown as T;
    const json: unknown = JSON.parse(data.toString("utf8"), reviver);
    return target.revive === undefined ? (json as T) : target.revive(json);
}

/** Saved inputs of a target: files `<name>-*.bin|json` in the area's fixture directory. */
function savedInputs(area: string, name: string): string[] {
    const dir = join(FIXTURES, area);
    try {
        return readdirSync(dir)
            .filter((f) => f.startsWith(`${name}-`) && /\.(bin|json)$/.test(f))
            .sort()
            .map((f) => join(dir, f));
    } catch {
        return [];
    }
}

function errText(err: unknown): string {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs the targets of one area as tap subtests: first every saved crash input, then the generator (bounded
 * runs with the fixed seed, or this file's share of the FUZZ_SECONDS budget).
 */
export function runTargets(t: Test, area: string, targets: readonly Target<never>[]): void {
    const budgetMs = LONG ? Math.max(1000, (LONG_SECONDS * 1000) / targets.length) : 0;
    for (const target of targets as readonly Target<unknown>[]) {
        t.test(target.name, async (t) => {
            for (const file of savedInputs(area, target.name)) {
                try {
                    await target.check(deserialize(target, readFileSync(file)));
                    t.pass(`replayed ${file.slice(FIXTURES.length)}`);
                } catch (err) {
                    t.fail(`saved input ${file.slice(FIXTURES.length)}: ${errText(err)}`);
                }
            }
            let runs = 0;
            const started = Date.now();
            const params: fc.Parameters<[unknown]> = LONG
                ? {
                      seed: SEED,
                      numRuns: Number.MAX_SAFE_INTEGER,
                      interruptAfterTimeLimit: budgetMs,
                      markInterruptAsFailure: false,
                      endOnFailure: false,
                  }
                : { seed: SEED, numRuns: target.runs };
            const isAsync = target.async === true;
            const details = isAsync
                ? await fc.check(
                      fc.asyncProperty(target.arb, async (x) => {
                          runs++;
                          await target.check(x);
                      }),
                      params,
                  )
                : fc.check(
                      fc.property(target.arb, (x) => {
                          runs++;
                          void target.check(x);
                      }),
                      params,
                  );
            const ms = Date.now() - started;
            let saved: string | null = null;
            if (details.failed && details.counterexample !== null) {
                const input = details.counterexample[0];
                const data = serialize(target, input);
                const hash = createHash("sha1").update(data).digest("hex").slice(0, 10);
                const name = `${area}/${target.name}-${hash}.${target.save ?? "bin"}`;
                if (SAVE) {
                    try {
                        mkdirSync(join(FIXTURES, area), { recursive: true });
                        writeFileSync(join(FIXTURES, name), data);
                        saved = name;
                    } catch {
                        saved = null;
                    }
                }
                const text = (target.save ?? "bin") === "bin" ? data.toString("hex") : data.toString("utf8");
                t.fail(`${area}/${target.name}: ${errText(details.errorInstance)}`, {
                    seed: details.seed,
                    path: details.counterexamplePath,
                    replay: `FUZZ_SEED=${details.seed} (same runs), or save the input below as test/fixtures/fuzz/${name}`,
                    saved: saved ?? "not saved (FUZZ_SAVE=1 saves it)",
                    counterexample:
                        text.length > PRINT_MAX ? `${text.slice(0, PRINT_MAX)}… (${text.length} characters)` : text,
                    encoding: (target.save ?? "bin") === "bin" ? "hex" : "json",
                });
            } else if (details.failed) {
                t.fail(`${area}/${target.name}: ${errText(details.errorInstance)}`, { seed: details.seed });
            } else {
                t.pass(`${runs} runs in ${ms} ms (seed ${SEED})`);
            }
            if (REPORT !== undefined) {
                const line = { area, target: target.name, runs, ms, failed: details.failed, seed: SEED, saved };
                appendFileSync(REPORT, `${JSON.stringify(line)}\n`);
            }
        });
    }
}

/** Calls a strict entry point: returns its result, or undefined when it threw a typed error with a stable code. */
export function strict<R>(fn: () => R, codes?: readonly string[]): R | undefined {
    try {
        return fn();
    } catch (err) {
        assertTyped(err, codes);
        return undefined;
    }
}

/** Throws `err` unless it is a CallbackdError with a stable code (and one of `codes` when given). */
export function assertTyped(err: unknown, codes?: readonly string[]): void {
    if (!(err instanceof CallbackdError) || !/^[A-Z][A-Z0-9_]*$/.test(err.code)) throw err;
    if (codes !== undefined && !codes.includes(err.code)) {
        throw new Error(`unexpected error code ${err.code}: ${err.message}`);
    }
}

/** Throws with `message` when `cond` is false. */
export function ensure(cond: boolean, message: string): asserts cond {
    if (!cond) throw new Error(message);
}

// --- byte-level mutation ---

const INTERESTING = [
    0, 1, 2, 3, 4, 7, 8, 12, 16, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0x1fff, 0x2000, 0x2001, 0x7fff, 0x8000, 0xffff,
    0x10000, 0x40000, 0x100000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

/** One mutation step; `pos`, `a` are taken modulo the current length. */
interface Op {
    kind: number;
    pos: number;
    a: number;
    value: number;
    bytes: Uint8Array;
}

const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.integer({ min: 0, max: 9 }),
    pos: fc.nat(),
    a: fc.nat(),
    value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 0xffffffff })),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
});

/** Applies mutation steps to a copy of seeds[s]: bit flips, byte sets, truncation, length-field overwrites, splicing. */
export function mutate(seeds: readonly Uint8Array[], s: number, ops: readonly Op[]): Uint8Array {
    let b = Uint8Array.from(seeds[s % seeds.length] ?? new Uint8Array(0));
    for (const op of ops) {
        const len = b.length;
        const pos = len === 0 ? 0 : op.pos % len;
        switch (op.kind) {
            case 0: // bit flip
                if (len > 0) b[pos] = (b[pos] as number) ^ (1 << (op.a % 8));
                break;
            case 1: // byte set
                if (len > 0) b[pos] = op.value & 0xff;
                break;
            case 2: // truncation
                b = b.slice(0, op.pos % (len + 1));
                break;
            case 3: // u32 little-endian overwrite (length fields): a value, or one relative to the rest
            case 4: {
                if (len < 4) break;
                const p = Math.min(pos, len - 4) & ~(op.kind === 4 ? 0 : 3);
                const rest = len - p;
                const rel = [op.value, rest, rest - 1, rest + 1, rest - 8, rest + 8, rest - 12][op.a % 7] as number;
                new DataView(b.buffer).setUint32(p, rel >>> 0, true);
                break;
            }
            case 5: // u16 / u32 big-endian overwrite
                if (len >= 4) new DataView(b.buffer).setUint32(Math.min(pos, len - 4), op.value >>> 0, false);
                else if (len >= 2) new DataView(b.buffer).setUint16(0, op.value & 0xffff, false);
                break;
            case 6: {
                // insert random bytes
                const out = new Uint8Array(len + op.bytes.length);
                out.set(b.subarray(0, pos), 0);
                out.set(op.bytes, pos);
                out.set(b.subarray(pos), pos + op.bytes.length);
                b = out;
                break;
            }
            case 7: {
                // delete a range
                const n = Math.min(len - pos, 1 + (op.a % 64));
                const out = new Uint8Array(len - n);
                out.set(b.subarray(0, pos), 0);
                out.set(b.subarray(pos + n), pos);
                b = out;
                break;
            }
            case 8: {
                // splice: a piece of another seed inserted here
                const other = seeds[op.a % seeds.length] ?? new Uint8Array(0);
                if (other.length === 0) break;
                const from = op.value % other.length;
                const piece = other.subarray(from, from + 1 + ((op.bytes.length * 97) % 4096));
                const out = new Uint8Array(len + piece.length);
                out.set(b.subarray(0, pos), 0);
                out.set(piece, pos);
                out.set(b.subarray(pos), pos + piece.length);
                b = out;
                break;
            }
            default: {
                // duplicate a range (repeated messages, retransmissions)
                const n = Math.min(len - pos, 1 + (op.a % 512));
                const out = new Uint8Array(len + n);
                out.set(b.subarray(0, pos + n), 0);
                out.set(b.subarray(pos, pos + n), pos + n);
                out.set(b.subarray(pos + n), pos + 2 * n);
                b = out;
                break;
            }
        }
    }
    return b;
}

/** Inputs made by mutating seeds (0-`maxOps` steps), half the time from pure random bytes instead. */
export function mutated(seeds: readonly Uint8Array[], maxOps = 6, randomMax = 512): fc.Arbitrary<Uint8Array> {
    const fromSeed = fc
        .record({ s: fc.nat({ max: Math.max(0, seeds.length - 1) }), ops: fc.array(opArb, { maxLength: maxOps }) })
        .map(({ s, ops }) => mutate(seeds, s, ops));
    return fc.oneof(
        { arbitrary: fromSeed, weight: 4 },
        { arbitrary: fc.uint8Array({ maxLength: randomMax }), weight: 1 },
    );
}

/** Chunk sizes for splitting a stream into pushes (cycled). */
export const chunking: fc.Arbitrary<number[]> = fc.array(
    fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4096 })),
    { minLength: 1, maxLength: 12 },
);

/** Splits `bytes` into views of the given sizes (cycled). */
export function split(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    let k = 0;
    while (i < bytes.length) {
        const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
        out.push(bytes.subarray(i, i + n));
        i += n;
    }
    return out;
}

/** Reads a fixture file as bytes. */
export function fixture(rel: string): Uint8Array {
    return new Uint8Array(readFileSync(new URL(`../fixtures/${rel}`, import.meta.url)));
}

/** Fixture files of a directory with a given extension. */
export function fixtureFiles(dir: string, ext: string): string[] {
    return readdirSync(new URL(`../fixtures/${dir}/`, import.meta.url))
        .filter((f) => f.endsWith(ext))
        .sort()
        .map((f) => `${dir}/${f}`);
}

/** The byte accounting every framer keeps (SCCP and QBE). */
export interface FramerStats {
    bytes: number;
    skippedBytes: number;
    discardedBytes: number;
    desyncs: number;
}

/**
 * The framer target SCCP and QBE share: mutated streams pushed whole and in random chunks. Delivered +
 * skipped + discarded bytes add up to the input, the framer's count matches what it delivered, every skipped
 * byte was reported as a resync, and a stream that starts and stays in sync frames alike whatever the chunking
 * (hunting looks ahead as far as the data goes, so only such a stream must).
 */
export function framerTarget<R extends { stats: FramerStats; resynced: number }>(
    streams: readonly Uint8Array[],
    frame: (parts: readonly Uint8Array[], synced: boolean) => R,
    delivered: (r: R) => readonly string[],
    counted: (r: R) => number,
): Target<{ bytes: Uint8Array; sizes: number[]; synced: boolean }> {
    return {
        name: "framer",
        runs: 1500,
        save: "json",
        arb: fc.record({ bytes: mutated(streams, 8, 2048), sizes: chunking, synced: fc.boolean() }),
        check({ bytes, sizes, synced }) {
            const whole = frame([bytes], synced);
            const chunked = frame(split(bytes, sizes), synced);
            for (const r of [whole, chunked]) {
                const s = r.stats;
                ensure(counted(r) === delivered(r).length, "the framer's count differs from what it delivered");
                ensure(
                    s.bytes + s.skippedBytes + s.discardedBytes === bytes.length,
                    `bytes ${s.bytes} + skipped ${s.skippedBytes} + discarded ${s.discardedBytes} != ${bytes.length}`,
                );
                ensure(r.resynced === s.skippedBytes, "onResync total differs from skippedBytes");
            }
            if (synced && whole.stats.desyncs === 0) {
                ensure(
                    JSON.stringify(delivered(whole)) === JSON.stringify(delivered(chunked)),
                    "chunking changed what a stream in sync delivers",
                );
            }
        },
    };
}
