import { constants, promises as fsp } from "node:fs";
import { join } from "node:path";
import { readFileBounded } from "../util/boundedRead.js";

/**
 * The file operations the snapshot store needs, as a port (as matter.js separates its storage backends),
 * so tests can inject faults and simulate power loss. Paths are file names inside one directory.
 */
export interface FlashFs {
    /** Reads a whole file, or null when it does not exist. */
    read(name: string): Promise<Uint8Array | null>;
    /** Creates or truncates `name`, writes `data`, fsyncs the file, and closes it. */
    writeDurable(name: string, data: Uint8Array): Promise<void>;
    /** Atomically replaces `to` with `from`. */
    rename(from: string, to: string): Promise<void>;
    /** Makes the directory's entries (renames, creations, removals) durable. */
    syncDir(): Promise<void>;
    remove(name: string): Promise<void>;
    list(): Promise<string[]>;
}

/** Largest file read from the state directory: a snapshot slot at its limit (64 MiB) with its framing. */
export const MAX_STATE_FILE_BYTES = 64 * 1024 * 1024 + 1024;

/** The real thing: files in a directory, with fsync on the files and on the directory. */
export class NodeFlashFs implements FlashFs {
    constructor(readonly dir: string) {}

    async read(name: string): Promise<Uint8Array | null> {
        try {
            // a slot replaced by a FIFO or a link to /dev/zero must not hang or fill memory
            return await readFileBounded(join(this.dir, name), MAX_STATE_FILE_BYTES);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
            throw err;
        }
    }

    async writeDurable(name: string, data: Uint8Array): Promise<void> {
        const fh = await fsp.open(
            join(this.dir, name),
            constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
            0o600,
        );
        try {
            let off = 0;
            while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
            await fh.sync();
        } finally {
            await fh.close();
        }
    }

    async rename(from: string, to: string): Promise<void> {
        await fsp.rename(join(this.dir, from), join(this.dir, to));
    }

    async syncDir(): Promise<void> {
        // Without this the rename itself may not survive a power cut (fsync(2) on the file does not
        // persist its directory entry).
        const fh = await fsp.open(this.dir, constants.O_RDONLY);
        try {
            await fh.sync();
        } finally {
            await fh.close();
        }
    }

    async remove(name: string): Promise<void> {
        await fsp.rm(join(this.dir, name), { force: true });
    }

    async list(): Promise<string[]> {
        return fsp.readdir(this.dir);
    }
}

/**
 * In-memory FlashFs that models what survives a power cut: file contents written with writeDurable are
 * durable, but directory changes (rename, create, remove) are volatile until syncDir. `crash()` drops
 * whatever was not made durable, as losing power would. Faults can be injected per operation.
 */
export class MemoryFlashFs implements FlashFs {
    /** Directory as the running system sees it: name → file contents. */
    #live = new Map<string, Uint8Array>();
    /** Directory as it would be after a power cut. */
    #durable = new Map<string, Uint8Array>();
    /** Throws from the named operation while set (e.g. { writeDurable: "ENOSPC" }). */
    readonly faults: Partial<Record<keyof FlashFs, string>> = {};
    /** Operations performed, in order (for crash-point tests). */
    readonly ops: string[] = [];
    /** Calls `hook` before each operation; it may throw to stop the sequence there (a "crash point"). */
    beforeOp: ((op: string) => void) | null = null;
    bytesWritten = 0;

    #enter(op: keyof FlashFs, detail: string): void {
        this.ops.push(`${op} ${detail}`);
        this.beforeOp?.(`${op} ${detail}`);
        const code = this.faults[op];
        if (code !== undefined) {
            const err = new Error(`${op} ${detail}: ${code}`) as NodeJS.ErrnoException;
            err.code = code;
            throw err;
        }
    }

    async read(name: string): Promise<Uint8Array | null> {
        this.#enter("read", name);
        const f = this.#live.get(name);
        return f === undefined ? null : f.slice();
    }

    async writeDurable(name: string, data: Uint8Array): Promise<void> {
        this.#enter("writeDurable", name);
        const copy = data.slice();
        this.#live.set(name, copy);
        this.bytesWritten += data.length;
        // The data blocks are durable after fsync; a brand-new name is not, until the directory is synced.
        if (this.#durable.has(name)) this.#durable.set(name, copy);
        else this.#pendingNew.set(name, copy);
    }

    /** Files created but not yet made durable in the directory. */
    #pendingNew = new Map<string, Uint8Array>();
    #pendingRenames: Array<[string, string]> = [];
    #pendingRemoves: string[] = [];

    async rename(from: string, to: string): Promise<void> {
        this.#enter("rename", `${from} ${to}`);
        const f = this.#live.get(from);
        if (f === undefined) {
            const err = new Error(`rename ${from}: ENOENT`) as NodeJS.ErrnoException;
            err.code = "ENOENT";
            throw err;
        }
        this.#live.delete(from);
        this.#live.set(to, f);
        this.#pendingRenames.push([from, to]);
    }

    async syncDir(): Promise<void> {
        this.#enter("syncDir", "");
        for (const [name, data] of this.#pendingNew) this.#durable.set(name, data);
        this.#pendingNew.clear();
        for (const [from, to] of this.#pendingRenames) {
            const f = this.#durable.get(from) ?? this.#live.get(to);
            this.#durable.delete(from);
            if (f !== undefined) this.#durable.set(to, f);
        }
        this.#pendingRenames = [];
        for (const name of this.#pendingRemoves) this.#durable.delete(name);
        this.#pendingRemoves = [];
    }

    async remove(name: string): Promise<void> {
        this.#enter("remove", name);
        this.#live.delete(name);
        this.#pendingNew.delete(name);
        this.#pendingRemoves.push(name);
    }

    async list(): Promise<string[]> {
        this.#enter("list", "");
        return [...this.#live.keys()].sort();
    }

    /** Power loss: only what was made durable remains. */
    crash(): void {
        this.#live = new Map([...this.#durable].map(([k, v]) => [k, v.slice()]));
        this.#pendingNew.clear();
        this.#pendingRenames = [];
        this.#pendingRemoves = [];
    }

    /** Direct access for tests (corrupting a slot, inspecting files). */
    peek(name: string): Uint8Array | undefined {
        return this.#live.get(name);
    }

    poke(name: string, data: Uint8Array): void {
        this.#live.set(name, data);
        this.#durable.set(name, data);
    }
}
