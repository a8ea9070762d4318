/**
 * Hostile operator input (issue T): the same pass as the review, kept as a table, run by
 * operatorInputs.*.test.ts in two halves (each its own process, so a loaded machine is not the file
 * timeout's business). Each case runs the built `bin/callbackd` as an operator would and must end on its
 * own (no hang: the case's timeout kills it), with the expected status, a clear `callbackd: CODE: …` line
 * and no stack trace (status 70), and without losing anything silently (a damaged input is said).
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Test } from "tap";
import { HANG_MS } from "../helpers/wait.js";

const BIN = join(import.meta.dirname, "../../bin/callbackd");
const SAMPLE = join(import.meta.dirname, "../../board/samples/sccp-7912-callmanager41.pcapng");
const SLOT = join(import.meta.dirname, "../fixtures/store/snapshot-format2-schema1.slot");

export interface Case {
    name: string;
    args: string[];
    env?: NodeJS.ProcessEnv;
    /** File descriptor or file for stdin ("pipe" with `input`). */
    stdin?: string;
    input?: Buffer;
    /** Send stdout to this file (e.g. /dev/full). */
    stdout?: string;
    status: number;
    stderr?: RegExp;
    stdout_?: RegExp;
}

/** The inputs made in `dir` and the cases that use them (CASES in the order of the review). */
export function operatorCases(dir: string): Case[] {
    const file = (name: string, text: string | Buffer): string => {
        const p = join(dir, name);
        writeFileSync(p, text);
        return p;
    };
    const fifo = (name: string): string => {
        const p = join(dir, name);
        spawnSync("mkfifo", [p]);
        return p;
    };
    const sample = readSample();
    function readSample(): Buffer {
        return spawnSync("cat", [SAMPLE], { maxBuffer: 1 << 26 }).stdout;
    }

    // the inputs
    const fifoConfig = fifo("config.fifo");
    const hugeConfig = join(dir, "huge.json");
    writeFileSync(hugeConfig, "");
    truncateSync(hugeConfig, 17 * 1024 * 1024);
    const ftpPush = file("ftp.json", JSON.stringify({ phones: { pushUrl: "ftp://{ip}/CGI/Execute" } }));
    const credPush = file("cred.json", JSON.stringify({ phones: { pushUrl: "http://u:p@{ip}/CGI/Execute" } }));
    const badHash = file("hash.json", JSON.stringify({ console: { passwordHash: "letmein" } }));
    const slots = join(dir, "slots");
    mkdirSync(slots);
    symlinkSync("/dev/zero", join(slots, "state.a"));
    spawnSync("mkfifo", [join(slots, "state.b")]);
    const savedDir = join(dir, "saved");
    mkdirSync(savedDir);
    writeFileSync(join(savedDir, "saved-config.json"), "{ not json");
    const savedBad = file("saved.json", JSON.stringify({ state: { dir: savedDir } }));
    const cut = file("cut.pcapng", sample.subarray(0, sample.length - 7));
    const corrupt = Buffer.from(sample);
    corrupt.writeUInt32LE(0x7fff_fff0, corrupt.indexOf(Buffer.from([6, 0, 0, 0]), sample.length >> 1) + 4);
    const corruptFile = file("corrupt.pcapng", corrupt);
    const notes = file("notes.txt", "not a capture\n");
    const goodSlot = join(dir, "goodslot");
    mkdirSync(goodSlot);
    copyFileSync(SLOT, join(goodSlot, "state.a"));
    symlinkSync("/dev/zero", join(goodSlot, "state.b"));
    const fifoSlots = join(dir, "fifoslots");
    mkdirSync(fifoSlots);
    symlinkSync("/dev/zero", join(fifoSlots, "state.a"));
    spawnSync("mkfifo", [join(fifoSlots, "state.b")]);
    const quiet = { CALLBACKD_LOG_LEVEL: "silent", CALLBACKD_HTTP_LISTEN: "127.0.0.1:0" };

    return [
        {
            name: "config from /dev/zero",
            args: ["config", "--check", "--config", "/dev/zero"],
            status: 1,
            stderr: /CONFIG_READ: .*not a regular file \(a character device\)/,
        },
        {
            name: "config from a FIFO",
            args: ["config", "--check", "--config", fifoConfig],
            status: 1,
            stderr: /CONFIG_READ: .*\(a FIFO\)/,
        },
        {
            name: "config of 17 MiB",
            args: ["config", "--check", "--config", hugeConfig],
            status: 1,
            stderr: /CONFIG_READ: .*larger than 16777216 bytes/,
        },
        {
            name: "doctor on /dev/zero",
            args: ["doctor", "--config", "/dev/zero"],
            status: 1,
            stdout_: /^FAIL config: CONFIG_READ[\s\S]*^(OK|WARN|FAIL|SKIP) {1,3}state directory/m,
        },
        {
            name: "listen port 70000 (environment)",
            args: ["config", "--check"],
            env: { CALLBACKD_HTTP_LISTEN: "0.0.0.0:70000" },
            status: 1,
            stderr: /CONFIG_INVALID: .*http\.listen: .*port 0\.\.65535.*CALLBACKD_HTTP_LISTEN/,
        },
        {
            name: "run with listen port 99999",
            args: ["run"],
            env: {
                CALLBACKD_CAPTURE_FILE: SAMPLE,
                CALLBACKD_HTTP_LISTEN: "0.0.0.0:99999",
                CALLBACKD_STATE_DIR: join(dir, "s1"),
            },
            status: 1,
            stderr: /CONFIG_INVALID: .*http\.listen/,
        },
        {
            name: "replay with listen port 99999",
            args: ["replay", SAMPLE],
            env: { CALLBACKD_HTTP_LISTEN: "[::]:99999" },
            status: 1,
            stderr: /CONFIG_INVALID/,
        },
        {
            name: "an ftp push URL",
            args: ["config", "--check", "--config", ftpPush],
            status: 1,
            stderr: /phones\.pushUrl: must be an http/,
        },
        {
            name: "credentials in the push URL",
            args: ["config", "--check", "--config", credPush],
            status: 1,
            stderr: /phones\.pushUrl: must not carry credentials/,
        },
        {
            name: "doctor with an ftp push URL",
            args: ["doctor", "--config", ftpPush],
            status: 1,
            stdout_: /^FAIL config: CONFIG_INVALID: phones\.pushUrl/m,
        },
        {
            name: "a console hash that is no hash",
            args: ["config", "--check", "--config", badHash],
            status: 1,
            stderr: /console\.passwordHash: must be a hash made with `callbackd console --hash`/,
        },
        {
            name: "snapshot slots: /dev/zero and a FIFO",
            args: ["snapshot", "--dir", slots],
            status: 1,
            stdout_: /state\.a: unreadable[\s\S]*state\.b: unreadable/,
        },
        {
            name: "run with a slot linked to /dev/zero",
            args: ["run"],
            env: { CALLBACKD_CAPTURE_FILE: SAMPLE, CALLBACKD_STATE_DIR: goodSlot, ...quiet },
            status: 0,
        },
        {
            name: "run with slots that are a FIFO and /dev/zero",
            args: ["run"],
            env: { CALLBACKD_CAPTURE_FILE: SAMPLE, CALLBACKD_STATE_DIR: fifoSlots, ...quiet },
            status: 0,
        },
        {
            name: "a saved configuration that is not JSON",
            args: ["config", "--check", "--config", savedBad],
            status: 1,
            stderr: /CONFIG_PARSE: .*saved-config\.json.*remove .* to start without it/,
        },
        {
            name: "decode --json to a full disk",
            args: ["decode", "--json", SAMPLE],
            stdout: "/dev/full",
            status: 1,
            stderr: /OUTPUT_WRITE: .*ENOSPC/,
        },
        {
            name: "decode a capture cut short",
            args: ["decode", "--json", cut],
            status: 0,
            stderr: /warning: .*cut short/,
        },
        { name: "decode a corrupt capture", args: ["decode", corruptFile], status: 1, stderr: /CAPTURE_CORRUPT/ },
        { name: "decode /dev/zero", args: ["decode", "/dev/zero"], status: 1, stderr: /CAPTURE_FORMAT/ },
        {
            name: "replay from stdin",
            args: ["replay", "-"],
            input: sample,
            env: quiet,
            status: 0,
            stdout_: /^frames: 3152 /m,
        },
        { name: "replay a text file", args: ["replay", notes], env: quiet, status: 1, stderr: /CAPTURE_FORMAT/ },
        { name: "replay /dev/zero", args: ["replay", "/dev/zero"], env: quiet, status: 1, stderr: /CAPTURE_FORMAT/ },
        {
            name: "console --hash from /dev/zero",
            args: ["console", "--hash"],
            stdin: "/dev/zero",
            status: 1,
            stderr: /CONSOLE_PASSWORD_TOO_LONG/,
        },
        {
            name: "console --port 99999",
            args: ["console", "--port", "99999"],
            status: 2,
            stderr: /USAGE: --port must be 1\.\.65535/,
        },
        {
            name: "run with a TLS CA file that is /dev/zero",
            args: ["run"],
            env: {
                CALLBACKD_CAPTURE_FILE: SAMPLE,
                CALLBACKD_STATE_DIR: join(dir, "s2"),
                CALLBACKD_MQTT_URL: "mqtts://127.0.0.1:1",
                CALLBACKD_MQTT_CA_FILE: "/dev/zero",
                ...quiet,
            },
            status: 1,
            stderr: /CONFIG_READ: mqtt\.caFile: .*not a regular file/,
        },
        {
            name: "redundancy without a broker",
            args: ["config", "--check"],
            env: { CALLBACKD_REDUNDANCY_ENABLED: "true" },
            status: 1,
            stderr: /redundancy\.enabled: needs a broker/,
        },
    ];
}

/** Runs one case as an operator would (the built bin/callbackd, in `dir`, with a minimal environment). */
export function runCase(c: Case, dir: string): SpawnSyncReturns<string> {
    const fds: number[] = [];
    const open = (path: string, flags: string): number => {
        const fd = openSync(path, flags);
        fds.push(fd);
        return fd;
    };
    try {
        return spawnSync(process.execPath, [BIN, ...c.args], {
            env: { PATH: process.env.PATH, ...c.env },
            cwd: dir,
            encoding: "utf8",
            timeout: HANG_MS,
            killSignal: "SIGKILL",
            maxBuffer: 1 << 26,
            ...(c.input !== undefined ? { input: c.input as unknown as string } : {}),
            stdio: [
                c.stdin !== undefined ? open(c.stdin, "r") : "pipe",
                c.stdout !== undefined ? open(c.stdout, "w") : "pipe",
                "pipe",
            ],
        });
    } finally {
        for (const fd of fds) closeSync(fd);
    }
}

/** Defines one test per case of the given half of the table (0 or 1: every other case). */
export function testHalf(t: Test, dir: string, cases: Case[], half: 0 | 1): void {
    for (const c of cases.filter((_, i) => i % 2 === half)) {
        t.test(c.name, async (t) => {
            const r = runCase(c, dir);
            t.equal(r.signal, null, "ended on its own (no hang)");
            t.equal(r.status, c.status, `status ${c.status}\n${r.stderr}`);
            t.notMatch(r.stderr, /INTERNAL|^\s+at /m, "no stack trace");
            if (c.stderr !== undefined) t.match(r.stderr, c.stderr);
            if (c.stdout_ !== undefined) t.match(r.stdout ?? "", c.stdout_);
        });
    }
}
