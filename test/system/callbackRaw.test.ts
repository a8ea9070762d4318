import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { needTool } from "../helpers/tools.js";

const script = join(import.meta.dirname, "../../scripts/make-callback-raw");
const shipped = join(import.meta.dirname, "../../board/CallBack.raw");

function checkRaw(t: Test, file: string): void {
    const size = statSync(file).size;
    t.equal(size % 240, 0, `${size} samples: whole 30 ms frames`);
    t.ok(size >= 240 && size <= 16080, "within the phone's limits");
    // Decodes as 8 kHz mu-law and is not silence.
    const r = spawnSync("sox", ["-t", "raw", "-r", "8000", "-e", "mu-law", "-b", "8", "-c", "1", file, "-n", "stat"], {
        encoding: "utf8",
    });
    t.equal(r.status, 0);
    const rms = Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(r.stderr)?.[1]);
    t.ok(rms > 0.05, `audible (RMS ${rms})`);
}

t.test(
    "make-callback-raw produces a valid twinkle, and the shipped one is it",
    { skip: needTool("sox", "sox") },
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "callbackd-raw-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const out = join(dir, "CallBack.raw");
        const r = spawnSync(script, [out], { encoding: "utf8" });
        t.equal(r.status, 0, r.stderr);
        checkRaw(t, out);
        checkRaw(t, shipped);
        t.same(readFileSync(out), readFileSync(shipped), "board/CallBack.raw is what the script makes");
    },
);
