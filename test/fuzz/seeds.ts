/** Seed inputs taken from the real captures and fixtures (computed once per process). */
import { readFileSync } from "node:fs";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { parseCapture } from "../../src/capture/pcapFile.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import type { StreamConsumer } from "../../src/wire/reassembly.js";
import { fixture, fixtureFiles } from "./lib.js";

/** Capture files used as seeds; big ones are cut to their first 48 KiB (the parser handles the cut tail). */
export const CAPTURE_FILES: readonly string[] = [
    ...fixtureFiles("captures", ".pcap"),
    ...fixtureFiles("captures", ".pcapng"),
    ...fixtureFiles("wire", ".pcap"),
    ...fixtureFiles("wire", ".pcapng"),
];

let files: Uint8Array[] | undefined;
/** Capture file bytes (pcap and pcapng, several link types). */
export function captureSeeds(): Uint8Array[] {
    files ??= CAPTURE_FILES.map((f) => fixture(f).slice(0, 48 * 1024));
    return files;
}

let frames: CapturedFrame[] | undefined;
/** Every frame of every seed capture, copied. */
export function frameSeeds(): CapturedFrame[] {
    if (frames !== undefined) return frames;
    const out: CapturedFrame[] = [];
    for (const f of CAPTURE_FILES) {
        parseCapture(fixture(f), (fr) => out.push({ ...fr, bytes: fr.bytes.slice() }));
    }
    frames = out;
    return out;
}

let streams: Map<number, Uint8Array[]> | undefined;
/** Reassembled TCP streams (one per connection direction) by server port, from the whole captures. */
export function streamSeeds(port: number): Uint8Array[] {
    if (streams === undefined) {
        const chunks = new Map<string, { port: number; parts: Uint8Array[] }>();
        const consumer: StreamConsumer = {
            onOpen() {},
            onData(conn, dir, bytes) {
                const key = `${conn.id}/${dir}`;
                let e = chunks.get(key);
                if (e === undefined) {
                    e = { port: conn.server.port, parts: [] };
                    chunks.set(key, e);
                }
                e.parts.push(bytes.slice());
            },
            onGap() {},
            onClose() {},
        };
        for (const f of CAPTURE_FILES) {
            const p = new WirePipeline(consumer);
            parseCapture(fixture(f), p.onFrame);
            p.finish();
        }
        streams = new Map();
        for (const { port, parts } of chunks.values()) {
            const list = streams.get(port) ?? [];
            // Long streams are cut into 16 KiB pieces: still real message sequences, cheaper to mutate.
            const all = Buffer.concat(parts);
            for (let i = 0; i < all.length; i += 16384) list.push(new Uint8Array(all.subarray(i, i + 16384)));
            streams.set(port, list);
        }
    }
    return streams.get(port) ?? [];
}

/** The QBE fixture frames (Cisco-encoded messages). */
export function qbeSeeds(): Uint8Array[] {
    return fixtureFiles("qbe", ".bin").map((f) => fixture(f));
}

/** Raw text of a fixture. */
export function fixtureText(rel: string): string {
    return readFileSync(new URL(`../fixtures/${rel}`, import.meta.url), "latin1");
}
