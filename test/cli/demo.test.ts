import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { runDemo } from "../../src/cli/demo.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";

const skip = needTool("xmllint", "libxml2-utils");
const BIN = join(import.meta.dirname, "../../bin/callbackd");

/** A private TMPDIR for one demo, so what it leaves behind (if anything) can be seen. */
function privateTmp(t: { teardown(fn: () => void): void }): string {
    const dir = mkdtempSync(join(tmpdir(), "cbk-demo-tmp-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

t.test("the built-in demo serves a call-back end to end, says so, and leaves nothing behind", { skip }, async (t) => {
    const tmp = privateTmp(t);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    t.teardown(() => {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
    });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const code = await runDemo({ out, capture: "mirror" });
    const text = Buffer.concat(chunks).toString();
    t.equal(code, 0, text);
    t.match(text, /registered with the CallManager/);
    // docs/MQTT-API.md "Embedded broker (demo)": a free loopback port, printed with the watch command
    const port =
        /embedded broker at mqtt:\/\/127\.0\.0\.1:(\d+); watch it with: mosquitto_sub -h 127\.0\.0\.1 -p (\d+) -t 'callbackd\/#' -v/.exec(
            text,
        );
    t.ok(port !== null && port[1] === port[2], "the broker's port is printed");
    t.match(text, /1003 pressed CallBack while calling 1002 \(busy\)/);
    t.match(text, /\[1003's screen\] .*Call Back is activated on 1002\. Press Cancel to deactivate\./);
    t.match(text, /\[1003 plays CallBack\.raw\]/);
    t.match(text, /1002 has become available Time \d\d:\d\d/);
    t.match(text, /the call-back ended: completed/);
    t.match(text, /The call-back was served end to end\./);
    t.notMatch(text, /demo-only-password/, "the push password is never shown");
    t.same(readdirSync(tmp), [], "its temporary state directory is gone");
});

/** Starts `callbackd demo --mirror ...` with its own TMPDIR; Ctrl-C once the phones registered. */
async function interrupted(tmp: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, [BIN, "demo", "--mirror", ...extra], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
        out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
        await waitFor(() => out.includes("registered with the CallManager") || child.exitCode !== null, "the phones");
        child.kill("SIGINT");
        const code = await Promise.race([
            exited,
            new Promise<never>((_, r) => setTimeout(() => r(new Error("hang")), HANG_MS)),
        ]);
        return { code, out };
    } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
    }
}

t.test("Ctrl-C stops the demo and removes its temporary state (it was left behind)", { skip }, async (t) => {
    const tmp = privateTmp(t);
    const { code, out } = await interrupted(tmp);
    t.equal(code, 1, out);
    t.match(out, /Stopped\./);
    t.same(readdirSync(tmp), [], "no callbackd-demo-* left in the temp folder");
});

t.test("--state-dir keeps the state where asked, and only there", { skip }, async (t) => {
    const tmp = privateTmp(t);
    const keep = join(tmp, "kept", "state");
    const { code, out } = await interrupted(tmp, ["--state-dir", keep]);
    t.equal(code, 1, out);
    t.match(out, new RegExp(`state directory \\(kept\\): ${keep}`));
    t.ok(existsSync(keep), "the state directory is kept");
    t.same(readdirSync(tmp), ["kept"], "nothing else in the temp folder");
});
