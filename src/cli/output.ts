import type { Writable } from "node:stream";
import { CallbackdError } from "../errors.js";

/** Standard output could not be written (disk full, I/O error): the output is incomplete. */
export class OutputError extends CallbackdError {}

/** An output error in words: ENOSPC → "ENOSPC (no space left on device)". */
function describeWriteError(err: NodeJS.ErrnoException): string {
    const names: Record<string, string> = {
        ENOSPC: "no space left on device",
        EIO: "input/output error",
        EDQUOT: "disk quota exceeded",
        EFBIG: "file too large",
        EBADF: "not open for writing",
    };
    const code = err.code ?? "EIO";
    return names[code] === undefined ? code : `${code} (${names[code]})`;
}

/** The error a failed output write becomes (null for a reader that went away: EPIPE ends output quietly). */
export function outputError(err: NodeJS.ErrnoException | null): OutputError | null {
    if (err === null || err.code === "EPIPE") return null;
    return new OutputError("OUTPUT_WRITE", `cannot write the output: ${describeWriteError(err)}`, {
        errno: err.code ?? "EIO",
    });
}

/**
 * Watches a command's output stream for write errors. Node reports them asynchronously (after the write
 * returned), so a command that ends at once would exit 0 with its output cut: `settle()` waits for them.
 */
export function watchOutput(out: Writable): { settle(): Promise<NodeJS.ErrnoException | null> } {
    let error: NodeJS.ErrnoException | null = null;
    const onError = (err: NodeJS.ErrnoException): void => {
        error ??= err;
    };
    out.on("error", onError);
    return {
        async settle() {
            if (error === null && !out.destroyed && !out.writableEnded) {
                await new Promise<void>((resolve) => {
                    out.write("", () => resolve());
                });
            }
            // the error event of a failed synchronous write comes on the next tick
            await new Promise((resolve) => setImmediate(resolve));
            out.off("error", onError);
            return error;
        },
    };
}

/**
 * Line output for commands that print a lot (decode prints millions of lines): lines are joined and
 * written in large chunks, and a closed pipe (`callbackd decode x | head`) ends output quietly; any other
 * write error (disk full) stops the output and fails the command.
 */
export class LineWriter {
    #parts: string[] = [];
    #size = 0;
    #closed = false;
    #error: NodeJS.ErrnoException | null = null;
    /** Settles when the OS took (or refused) the last chunk written. */
    #last: Promise<void> = Promise.resolve();
    readonly #out: Writable;
    readonly #flushAt: number;

    constructor(out: Writable, flushAtBytes = 1 << 16) {
        this.#out = out;
        this.#flushAt = flushAtBytes;
        out.on("error", (err: NodeJS.ErrnoException) => {
            // Either way nothing more can be written: stop formatting lines nobody will see.
            this.#closed = true;
            this.#error ??= err;
        });
    }

    /** False once the reader has gone away. */
    get open(): boolean {
        return !this.#closed;
    }

    line(text: string): void {
        if (this.#closed) return;
        this.#parts.push(text);
        this.#size += text.length + 1;
        if (this.#size >= this.#flushAt) this.flush();
    }

    flush(): void {
        if (this.#parts.length === 0 || this.#closed) return;
        this.#parts.push("");
        this.#last = new Promise((resolve) => {
            this.#out.write(this.#parts.join("\n"), (err) => {
                if (err) {
                    this.#closed = true;
                    this.#error ??= err as NodeJS.ErrnoException;
                }
                resolve();
            });
        });
        this.#parts = [];
        this.#size = 0;
    }

    /**
     * Flushes and waits until everything written has been handed to the OS. Throws OutputError when the
     * output failed (disk full); a reader that went away (EPIPE) ends it quietly, like other Unix tools.
     */
    async end(): Promise<void> {
        this.flush();
        await this.#last;
        const failed = outputError(this.#error);
        if (failed !== null) throw failed;
    }
}
