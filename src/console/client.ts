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

/** Longest password `--hash` reads (stdin from /dev/zero must not grow without end). */
export const MAX_PASSWORD_LENGTH = 1024;

/** Reads one line from a raw or cooked input: Enter ends it, Ctrl-C/Ctrl-D abandon it, Backspace edits it. */
function readLine(io: ClientIo): Promise<{ line: string; ended: boolean }> {
    return new Promise((resolve, reject) => {
        let line = "";
        const finish = (result: { line: string; ended: boolean } | Error): void => {
            io.input.pause();
            io.input.off("data", onData);
            io.input.off("end", onEnd);
            if (result instanceof Error) reject(result);
            else resolve(result);
        };
        const onData = (b: Buffer | string): void => {
            const text = b.toString();
            for (let i = 0; i < text.length; i++) {
                const ch = text.charAt(i);
                if (ch === "\r" || ch === "\n") {
                    // what follows the line stays for the next read (unshifted once this reader is off)
                    const rest = text.slice(i + (ch === "\r" && text.charAt(i + 1) === "\n" ? 2 : 1));
                    finish({ line, ended: false });
                    if (rest !== "") io.input.unshift(Buffer.from(rest));
                    return;
                }
                if (ch === "\x03" || ch === "\x04") {
                    finish({ line: "", ended: true });
                    return;
                }
                if (ch === "\x7f" || ch === "\b") line = line.slice(0, -1);
                else line += ch;
                if (line.length > MAX_PASSWORD_LENGTH) {
                    finish(
                        new ConsoleError(
                            "CONSOLE_PASSWORD_TOO_LONG",
                            `the password is longer than ${MAX_PASSWORD_LENGTH} characters`,
                            {},
                        ),
                    );
                    return;
                }
            }
        };
        const onEnd = (): void => finish({ line, ended: true });
        io.input.on("data", onData);
        io.input.once("end", onEnd);
        io.input.resume();
    });
}

/**
 * Reads the password and returns its hash for console.passwordHash. On a terminal it is asked twice
 * without echo (a typo would lock the operator out); from a pipe one line is read.
 */
export async function hashFromInput(io: ClientIo): Promise<string> {
    const raw = io.input.isTTY === true && io.input.setRawMode !== undefined;
    if (raw) io.input.setRawMode?.(true);
    try {
        if (raw) io.output.write("Password: ");
        const first = await readLine(io);
        if (raw) io.output.write("\n");
        if (first.line === "") throw new ConsoleError("CONSOLE_EMPTY_PASSWORD", "empty password", {});
        if (raw) {
            io.output.write("Again: ");
            const again = await readLine(io);
            io.output.write("\n");
            if (again.line !== first.line) {
                throw new ConsoleError("CONSOLE_PASSWORD_MISMATCH", "the passwords do not match: nothing hashed", {});
            }
        }
        return hashPassword(first.line);
    } finally {
        if (raw) io.input.setRawMode?.(false);
        io.input.pause();
    }
}
