import type { Writable } from "node:stream";

/**
 * Line output for commands that print a lot (decode prints millions of lines): lines are joined and
 * written in large chunks, and a closed pipe (`callbackd decode x | head`) ends output quietly.
 */
export class LineWriter {
    #parts: string[] = [];
    #size = 0;
    #closed = false;
    readonly #out: Writable;
    readonly #flushAt: number;

    constructor(out: Writable, flushAtBytes = 1 << 16) {
        this.#out = out;
        this.#flushAt = flushAtBytes;
        out.on("error", (err: NodeJS.ErrnoException) => {
            if (err.code === "EPIPE") this.#closed = true;
            else throw err;
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
        this.#out.write(this.#parts.join("\n"));
        this.#parts = [];
        this.#size = 0;
    }

    /** Flushes and waits until everything written has been handed to the OS. */
    async end(): Promise<void> {
        this.flush();
        if (this.#closed) return;
        await new Promise<void>((resolve) => {
            if (this.#out.writableNeedDrain) this.#out.once("drain", () => resolve());
            else resolve();
        });
    }
}
