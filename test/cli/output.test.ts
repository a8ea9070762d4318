/**
 * Write errors on standard output (issue T item 5): a full disk fails the command with OUTPUT_WRITE and a
 * non-zero status instead of exiting 0 with the output cut; a reader that goes away (EPIPE) ends the
 * output quietly, as with other Unix tools.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import t from "tap";
import { LineWriter, OutputError } from "../../src/cli/output.js";

const bin = join(import.meta.dirname, "../../bin/callbackd");
const sample = join(import.meta.dirname, "../../board/samples/sccp-7912-callmanager41.pcapng");

/** A stream whose writes fail with `code`. */
function failing(code: string): Writable {
    return new Writable({
        write(_chunk, _enc, cb) {
            const err = new Error(`write ${code}`) as NodeJS.ErrnoException;
            err.code = code;
            cb(err);
        },
    });
}

t.test("LineWriter: ENOSPC fails end(), EPIPE ends quietly", async (t) => {
    const full = new LineWriter(failing("ENOSPC"), 1);
    full.line("one");
    full.line("two");
    await t.rejects(full.end(), OutputError);
    t.equal(full.open, false, "no more lines are formatted");
    const gone = new LineWriter(failing("EPIPE"), 1);
    gone.line("one");
    await t.resolves(gone.end());
    t.equal(gone.open, false);
});

t.test("commands writing to /dev/full exit 1 with OUTPUT_WRITE", { skip: !existsSync("/dev/full") }, async (t) => {
    const cases: string[][] = [
        ["decode", "--json", sample],
        ["decode", sample],
        ["decode", "--summary", sample],
        ["params"],
        ["config"],
        ["help"],
    ];
    for (const args of cases) {
        const fd = openSync("/dev/full", "w");
        try {
            const r = spawnSync(bin, args, { stdio: ["ignore", fd, "pipe"], encoding: "utf8", timeout: 60_000 });
            t.equal(r.status, 1, args.join(" "));
            t.match(
                r.stderr,
                /^callbackd: OUTPUT_WRITE: cannot write the output: ENOSPC \(no space left on device\)\n$/,
            );
        } finally {
            closeSync(fd);
        }
    }
});

t.test("a closed pipe ends the output quietly with status 0", async (t) => {
    const r = spawnSync("bash", ["-c", `set -o pipefail; '${bin}' decode --json '${sample}' | head -c 10 >/dev/null`], {
        encoding: "utf8",
        timeout: 60_000,
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stderr, "");
});
