/**
 * `callbackd replay` as a user runs it: the real bin/callbackd in its own process, on a capture the simulator
 * made (1003 calls busy 1002, presses CallBack, both hang up), with the phones' XSI services listening where
 * the capture says the phones are. The replay must print its summary and push the activation screen and the
 * notification (twinkle and "has become available") to the caller's phone, and to no other phone.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { configureLogging } from "../../src/logging/logger.js";
import { XsiPhoneService } from "../../src/sim/xsi/service.js";
import { testPort } from "../helpers/ports.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";
import { FakePhone } from "../sim/xsi/helpers.js";
import { recordBusyCallBack } from "./simCapture.js";

const root = join(import.meta.dirname, "../..");
const BIN = join(root, "bin/callbackd");
const needDist = existsSync(join(root, "dist/cli/main.js")) ? false : "needs dist/: run npm run build";
const skip = needTool("xmllint", "libxml2-utils") || needDist;
const PUSH_USER = "cbpush";
const PUSH_PASSWORD = "replay-Pa55";
/** The simulator's phones, as recordBusyCallBack made them: 127.0.1.N is the N-th phone. */
const PHONES = { "1001": "127.0.1.1", "1002": "127.0.1.2", "1003": "127.0.1.3" } as const;

/** bin/callbackd replay with `args` as a child (killed at teardown); its output so far, and its exit. */
function replayProcess(t: Test, args: string[]) {
    const child = spawn(process.execPath, [BIN, "replay", ...args], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    t.teardown(() => {
        if (child.exitCode === null) child.kill("SIGKILL");
    });
    const io = { out: "", err: "" };
    child.stdout.on("data", (d: Buffer) => {
        io.out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
        io.err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    /** The exit code, once all of stdout is read. */
    const done = async (): Promise<number | null> => {
        const code = await exited;
        await waitFor(() => child.stdout.readableEnded, "the replay's output", HANG_MS);
        return code;
    };
    return { child, io, done };
}

t.test("bin/callbackd replay on a simulator capture: summary and pushes", { skip }, async (t) => {
    configureLogging({ level: "silent" });
    const dir = mkdtempSync(join(tmpdir(), "callbackd-replay-process-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const pcap = join(dir, "busy-callback.pcap");
    const cmPort = await testPort();
    await recordBusyCallBack(pcap, cmPort);

    // The phones' XSI services on the phones' own addresses, on a port of this test.
    const xsiPort = await testPort(Object.values(PHONES));
    const phones = new Map<string, XsiPhoneService>();
    for (const [dn, ip] of Object.entries(PHONES)) {
        const phone = Object.assign(new FakePhone(), { deviceName: `SEP-${dn}` });
        const svc = new XsiPhoneService({
            host: ip,
            port: xsiPort,
            phone,
            auth: { user: PUSH_USER, password: PUSH_PASSWORD },
            audio: { dir: join(root, "board") },
        });
        await svc.start();
        t.teardown(() => svc.stop());
        phones.set(dn, svc);
    }

    const config = join(dir, "config.json");
    writeFileSync(
        config,
        JSON.stringify({
            http: { listen: "127.0.0.1:0" },
            capture: { sccpPorts: [cmPort] },
            phones: { pushUser: PUSH_USER, pushPassword: PUSH_PASSWORD, pushUrl: `http://{ip}:${xsiPort}/CGI/Execute` },
            log: { level: "silent" },
        }),
    );
    // No --linger: the pushes (the phone answers the notification only after playing the twinkle) must be
    // counted all the same (a fixed 50 ms pause before the summary missed them).
    const replay = replayProcess(t, [pcap, "--config", config, "--as-fast-as-possible"]);
    const code = await replay.done();
    const { out, err } = replay.io;
    t.equal(code, 0, err);
    t.equal(err, "", "nothing on stderr");

    // the summary
    const frames = Number(/^frames: (\d+) \(([\d.]+) s of capture\)$/m.exec(out)?.[1]);
    t.ok(frames > 20, `${frames} frames`);
    t.match(out, /^requests made: 1$/m);
    t.match(out, /^notified: 1$/m);
    const pushes = /^pushes: (\d+) ok, (\d+) failed$/m.exec(out);
    t.ok(pushes !== null, "the push counts");
    t.equal(pushes?.[2], "0", "no push failed");
    t.ok(Number(pushes?.[1]) >= 2, `${pushes?.[1]} pushes ok: the activation and the notification at least`);

    // what the caller's phone got, and that nobody else got anything
    const caller = phones.get("1003")!;
    const texts = caller.screens.map((s) => s.text);
    t.ok(
        texts.some((s) => s.startsWith("Call Back is activated on 1002")),
        "1003 was told the call-back is activated",
    );
    t.ok(
        texts.some((s) => s.startsWith("1002 has become available")),
        "1003 was told 1002 has become available",
    );
    t.same(caller.sounds, ["CallBack.raw"], "and heard the twinkle once");
    t.same(
        caller.pushes.map((p) => p.httpStatus),
        caller.pushes.map(() => 200),
        "every push to 1003 was accepted",
    );
    for (const dn of ["1001", "1002"] as const) t.same(phones.get(dn)!.pushes, [], `no push to ${dn}`);
});

t.test(
    "bin/callbackd replay stopped by SIGTERM mid-way: the summary of what was replayed, exit 0",
    { skip: needDist },
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "callbackd-replay-stop-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const config = join(dir, "config.json");
        writeFileSync(config, JSON.stringify({ http: { listen: "127.0.0.1:0" }, log: { level: "info" } }));
        // 83 s of capture at its own pace: the stop surely comes in the middle.
        const capture = join(root, "test/fixtures/captures/pyskinny_cm_call_from_pyskinny_to_7912.pcapng");
        const replay = replayProcess(t, [capture, "--config", config, "--speed", "1"]);
        const { io } = replay;
        await waitFor(() => /call-back service started/.test(io.out + io.err), "the replay to start", HANG_MS);
        replay.child.kill("SIGTERM");
        const code = await replay.done();
        const { out, err } = io;
        t.equal(code, 0, err.slice(-2000));
        const frames = Number(/^frames: (\d+) \(([\d.]+) s of capture\)$/m.exec(out)?.[1]);
        t.ok(frames >= 0 && frames < 3152, `${frames} of the capture's 3,152 frames replayed before the stop`);
        t.match(out, /^still open: 0$/m);
    },
);
