/**
 * Reading a file an operator named (config, saved configuration, TLS files, snapshot slots) without
 * trusting what the path is: a FIFO would block forever, /dev/zero never ends, a 10 GiB file would be read
 * whole. The file is opened non-blocking (a FIFO open returns at once), then the *opened* descriptor is
 * checked (fstat: no race with a path swapped after a stat), and at most the cap is read.
 */
import { closeSync, constants, promises as fsp, fstatSync, openSync, readSync } from "node:fs";
import { CallbackdError } from "../errors.js";

/** A file that is not a regular file, or larger than its cap. */
export class FileReadError extends CallbackdError {}

const CHUNK = 1 << 20;
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function notRegular(path: string, kind: string): FileReadError {
    return new FileReadError("FILE_NOT_REGULAR", `${path} is not a regular file (${kind})`, { path, kind });
}

function tooLarge(path: string, max: number): FileReadError {
    return new FileReadError("FILE_TOO_LARGE", `${path} is larger than ${max} bytes`, { path, max });
}

/** What kind of file a stat describes, for messages. */
function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isDirectory(): boolean; isSocket(): boolean }) {
    if (st.isFIFO()) return "a FIFO";
    if (st.isCharacterDevice()) return "a character device";
    if (st.isDirectory()) return "a directory";
    if (st.isSocket()) return "a socket";
    return "a device";
}

/**
 * Reads a regular file of at most `maxBytes`; throws FileReadError (FILE_NOT_REGULAR, FILE_TOO_LARGE) or the
 * system error (ENOENT, EACCES, …) unchanged.
 */
export function readFileBoundedSync(path: string, maxBytes: number): Buffer {
    const fd = openSync(path, FLAGS);
    try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw notRegular(path, kindOf(st));
        if (st.size > maxBytes) throw tooLarge(path, maxBytes);
        // The file may grow between fstat and read: read until the end, refusing at one byte past the cap.
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), CHUNK, maxBytes + 1 - total));
            const r = readSync(fd, buf, 0, buf.length, null);
            if (r === 0) break;
            chunks.push(buf.subarray(0, r));
            total += r;
            if (total > maxBytes) throw tooLarge(path, maxBytes);
        }
        return Buffer.concat(chunks, total);
    } finally {
        closeSync(fd);
    }
}

/** The async form of readFileBoundedSync. */
export async function readFileBounded(path: string, maxBytes: number): Promise<Buffer> {
    const fh = await fsp.open(path, FLAGS);
    try {
        const st = await fh.stat();
        if (!st.isFile()) throw notRegular(path, kindOf(st));
        if (st.size > maxBytes) throw tooLarge(path, maxBytes);
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), CHUNK, maxBytes + 1 - total));
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) break;
            chunks.push(buf.subarray(0, bytesRead));
            total += bytesRead;
            if (total > maxBytes) throw tooLarge(path, maxBytes);
        }
        return Buffer.concat(chunks, total);
    } finally {
        await fh.close();
    }
}
