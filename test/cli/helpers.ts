import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

/** Runs one `callbackd` command line in process; resolves with its exit code and what it wrote. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    err.on("data", (c: Buffer) => errChunks.push(c));
    const code = await main(args, { out, err, env });
    return { code, out: Buffer.concat(chunks).toString(), err: Buffer.concat(errChunks).toString() };
}
