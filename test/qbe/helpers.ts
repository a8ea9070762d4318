import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { QbeFields } from "../../src/qbe/codec.js";

/** test/fixtures/qbe: frames encoded by Cisco's 12.5 client library, with their field values. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "qbe");

/** One fixture: its bytes and the JSON the reference gives for it. */
export interface QbeFixture {
    name: string;
    bytes: Uint8Array;
    messageId: number;
    class: string;
    direction: "C2S" | "S2C" | "both";
    roundTrip: string;
    header: { headerSize: number; fixedSize: number; varSize: number; length: number };
    schema: { name: string; type: string; frameOffset: number; size: number }[];
    fields: QbeFields;
    fieldsAsDecodedByJar?: QbeFields;
}

let cache: QbeFixture[] | null = null;

/** All fixtures, sorted by name. */
export function loadFixtures(): QbeFixture[] {
    if (cache !== null) return cache;
    cache = readdirSync(FIXTURE_DIR)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => {
            const name = f.slice(0, -5);
            const j = JSON.parse(readFileSync(join(FIXTURE_DIR, f), "utf8")) as Omit<QbeFixture, "name" | "bytes">;
            const bytes = new Uint8Array(readFileSync(join(FIXTURE_DIR, `${name}.bin`)));
            return { ...j, name, bytes };
        });
    return cache;
}

/** One fixture by name. */
export function fixture(name: string): QbeFixture {
    const f = loadFixtures().find((x) => x.name === name);
    if (f === undefined) throw new Error(`no fixture ${name}`);
    return f;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
        out.set(p, o);
        o += p.length;
    }
    return out;
}

/** Little-endian u32 write. */
export function put32(b: Uint8Array, o: number, v: number): void {
    new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(o, v >>> 0, true);
}

/** Little-endian u32 read. */
export function get32(b: Uint8Array, o: number): number {
    return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true);
}
