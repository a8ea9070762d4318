/**
 * `callbackd console`: a local shell on the running service's console (its loopback TCP port), with the
 * terminal in raw mode so the console's own line discipline applies; and `--hash` to make a password hash.
 */
import { createConnection } from "node:net";
import type { Readable, Writable } from "node:stream";
import { hashPassword } from "./config.js";
import { ConsoleError } from "./index.js";

/** Streams of the local shell (process.stdin/stdout, or test streams). */
export interface ClientIo {
    input: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
    output: Writable;
}

/** Bridges the terminal to the console at 127.0.0.1:port until either side ends. Resolves with an exit code. */
export async function runConsoleClient(port: number, io: ClientIo, host = "127.0.0.1"): Promise<number> {
    const sock = createConnection({ port, host });
    await new Promise<void>((resolve, reject) => {
        sock.once("connect", () => resolve());
        sock.once("error", (err) =>
            reject(
                new ConsoleError(
                    "CONSOLE_CONNECT",
                    `no console at ${host}:${port} (is callbackd running?): ${err.message}`,
                    {
                        port,
                    },
                ),
            ),
        );
    });
    const raw = io.input.isTTY === true && io.input.setRawMode !== undefined;
    if (raw) io.input.setRawMode?.(true);
    const onData = (b: Buffer | string) => sock.write(b);
    io.input.on("data", onData);
    const onEnd = () => sock.end();
    io.input.on("end", onEnd);
    sock.on("data", (b: Buffer) => io.output.write(b));
    await new Promise<void>((resolve) => {
        sock.on("close", () => resolve());
        sock.on("error", () => resolve());
    });
    io.input.off("data", onData);
    io.input.off("end", onEnd);
    if (raw) io.input.setRawMode?.(false);
    io.input.pause();
    return 0;
}

/** Reads one line (the password) from `input` and returns its hash for console.passwordHash. */
export async function hashFromInput(io: ClientIo): Promise<string> {
    const raw = io.input.isTTY === true && io.input.setRawMode !== undefined;
    if (raw) {
        io.output.write("Password: ");
        io.input.setRawMode?.(true);
    }
    let line = "";
    await new Promise<void>((resolve) => {
        const onData = (b: Buffer | string) => {
            for (const ch of b.toString()) {
                if (ch === "\r" || ch === "\n" || ch === "\x03" || ch === "\x04") {
                    if (ch === "\x03") line = "";
                    io.input.off("data", onData);
                    resolve();
                    return;
                }
                if (ch === "\x7f" || ch === "\b") line = line.slice(0, -1);
                else line += ch;
            }
        };
        io.input.on("data", onData);
        io.input.once("end", () => resolve());
    });
    if (raw) {
        io.input.setRawMode?.(false);
        io.output.write("\n");
    }
    io.input.pause();
    if (line === "") throw new ConsoleError("CONSOLE_EMPTY_PASSWORD", "empty password", {});
    return hashPassword(line);
}
