/** `Play:` clips: where the phone finds them and how long they last. */

import { stat } from "node:fs/promises";
import { join } from "node:path";
import { httpRequest } from "./client.js";
import type { XsiAudioSource } from "./types.js";

/** 8 kHz mu-law, one byte per sample. */
export const RAW_BYTES_PER_SECOND = 8000;

/** File names a `Play:` URI may carry (no paths: the phone looks in its TFTP root). */
export function isClipName(file: string): boolean {
    return /^[A-Za-z0-9._-]+$/.test(file) && file !== "." && file !== "..";
}

/** Cisco's .raw rules: 240..16080 samples, a multiple of 240 (reference §2). */
export function isValidRawSize(bytes: number): boolean {
    return bytes >= 240 && bytes <= 16080 && bytes % 240 === 0;
}

/** Playing time of a clip of `bytes` bytes, in ms. */
export function clipDurationMs(bytes: number): number {
    return (bytes * 1000) / RAW_BYTES_PER_SECOND;
}

/** Size in bytes of clip `file` (sizes, then dir, then GET baseUrl/file), or undefined when not found. */
export async function clipSize(
    src: XsiAudioSource | undefined,
    file: string,
    localAddress: string,
    timeoutMs: number,
): Promise<number | undefined> {
    if (src === undefined || !isClipName(file)) return undefined;
    const fixed = src.sizes !== undefined && Object.hasOwn(src.sizes, file) ? src.sizes[file] : undefined;
    if (fixed !== undefined) return fixed;
    if (src.dir !== undefined) {
        try {
            const st = await stat(join(src.dir, file));
            if (st.isFile()) return st.size;
        } catch {
            // Not in the folder: try the server next.
        }
    }
    if (src.baseUrl !== undefined) {
        const base = src.baseUrl.endsWith("/") ? src.baseUrl : `${src.baseUrl}/`;
        const r = await httpRequest({ url: `${base}${file}`, localAddress, timeoutMs, maxBytes: 1 << 20 });
        if (r.ok && r.status === 200) return r.body.length;
    }
    return undefined;
}
