import type { Readable, Writable } from "node:stream";

/** Streams a command writes to (injectable for tests). */
export interface CliIo {
    out: Writable;
    err: Writable;
    env: NodeJS.ProcessEnv;
    /** Standard input (the console client); default process.stdin. */
    in?: Readable;
}
