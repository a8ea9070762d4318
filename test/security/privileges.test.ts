/**
 * Security: the service runs without root. `callbackd run` replays a capture as the unprivileged user
 * nobody (setpriv, no supplementary groups) with a state directory owned by that user, and writes its
 * snapshots readable by nobody else; live capture needs CAP_NET_RAW and nothing more (granted as an ambient
 * capability, as systemd/callbackd.service does), and fails without it. The unit's own checks (exposure
 * score, the single capability) are in test/system/unit.test.ts.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
    chownSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { loadPcapAddon } from "../../src/capture/pcapChild.js";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { Branch } from "../../src/sim/branch.js";
import type { ManualClock } from "../../src/sim/clock.js";
import type { SimPhone } from "../../src/sim/phone.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";

const root = join(import.meta.dirname, "../..");
const NOBODY = 65534;
const skip =
    (process.getuid?.() === 0 ? false : "needs root to switch to the user nobody") ||
    needTool("setpriv", "util-linux", ["--version"]) ||
    (existsSync(join(root, "dist/cli/main.js")) ? false : "needs the built CLI: run npm run build") ||
    (spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout.trim() === String(NOBODY)
        ? false
        : "needs the user nobody (uid 65534)");

/**
 * The program as the user nobody may run it, copied into a temp folder nobody can enter: bin/, dist/,
 * board/, package.json and the production dependencies (from package-lock.json). The checkout itself may sit
 * in a private home directory (mode 0700, the default on current Debian and Ubuntu) that nobody cannot enter.
 * Made once per test file; removed at its end.
 */
let app: string | null = null;
function appCopy(): string {
    if (app !== null) return app;
    const dir = mkdtempSync(join(tmpdir(), "cbk-priv-app-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
        packages: Record<string, { dev?: boolean }>;
    };
    const deps = Object.entries(lock.packages)
        .filter(([path, p]) => path.startsWith("node_modules/") && p.dev !== true && existsSync(join(root, path)))
        .map(([path]) => path)
        .sort()
        // a nested package comes with its parent's folder
        .filter((path, i, all) => !all.slice(0, i).some((parent) => path.startsWith(`${parent}/`)));
    const target = join(dir, "callbackd");
    mkdirSync(target);
    const cp = spawnSync("cp", ["-R", "--parents", "bin", "dist", "board", "package.json", ...deps, target], {
        cwd: root,
        encoding: "utf8",
    });
    if (cp.status !== 0) throw new Error(`copying the program failed: ${cp.stderr}`);
    // readable and traversable by everyone, whatever the umask of the checkout
    spawnSync("chmod", ["-R", "a+rX", dir]);
    app = target;
    return app;
}

/** A state directory the user nobody owns, inside a private temp directory nobody may enter. */
function stateFor(t: { teardown: (fn: () => void) => void }): { dir: string; state: string } {
    const dir = mkdtempSync(join(tmpdir(), "cbk-priv-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const state = join(dir, "state");
    mkdirSync(state, { mode: 0o750 });
    chownSync(state, NOBODY, NOBODY);
    // the temp dir is 0700 root: let nobody through to its state directory and config
    chownSync(dir, 0, NOBODY);
    spawnSync("chmod", ["0710", dir]);
    return { dir, state };
}

/** setpriv arguments; `env -i` drops the test runner's NODE_OPTIONS (its loaders write where nobody may not). */
function asNobody(args: string[], extra: string[] = []): string[] {
    return [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        ...extra,
        "env",
        "-i",
        `PATH=${process.env.PATH ?? "/usr/bin:/bin"}`,
        process.execPath,
        ...args,
    ];
}

/** A capture of a busy call and a CallBack press (so the replay makes a request and writes a snapshot). */
function callBackCapture(dir: string): string {
    const file = join(dir, "callback.pcap");
    const writer = new PcapFileWriter(file, 1, 65535, 1 << 16, { fsync: false });
    const branch = Branch.startSync({ phones: 3, cm: { port: 2000 }, tap: writer });
    const [a, b, c] = branch.phones as [SimPhone, SimPhone, SimPhone];
    const clock = branch.clock as ManualClock;
    a.dial(b.lines[0]!);
    clock.advance(2000);
    b.answer();
    clock.advance(2000);
    c.dial(b.lines[0]!);
    clock.advance(2000);
    c.pressSoftKey("CallBack");
    clock.advance(5000);
    writer.close();
    chownSync(file, 0, NOBODY);
    spawnSync("chmod", ["0640", file]);
    return file;
}

t.test("replaying a capture as nobody works and leaves private snapshots", { skip }, async (t) => {
    const { dir, state } = stateFor(t);
    const capture = callBackCapture(dir);
    const config = join(dir, "config.json");
    writeFileSync(
        config,
        JSON.stringify({
            capture: { file: capture, sccpPorts: [2000] },
            http: { listen: "127.0.0.1:0" },
            state: { dir: state },
            log: { level: "info" },
        }),
    );
    chownSync(config, 0, NOBODY);
    spawnSync("chmod", ["0640", config]);
    const r = spawnSync("setpriv", asNobody([join(appCopy(), "bin/callbackd"), "run", "--config", config]), {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        timeout: HANG_MS,
    });
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /"msg":"capture file replayed"/);
    t.match(r.stdout, /"msg":"call-back activated"/, "the capture made a request");
    t.notMatch(r.stdout + r.stderr, /EACCES|EPERM/);
    const files = readdirSync(state);
    t.ok(files.length > 0, `snapshots written: ${files.join(", ")}`);
    for (const f of files) {
        const st = statSync(join(state, f));
        t.equal(st.uid, NOBODY, `${f} belongs to nobody`);
        t.equal(st.mode & 0o077, 0, `${f} is readable by its owner only (mode ${(st.mode & 0o777).toString(8)})`);
    }
});

t.test("a state directory nobody may not write: a clear error, no crash", { skip }, async (t) => {
    const { dir, state } = stateFor(t);
    chownSync(state, 0, 0); // root's now
    const sample = join(appCopy(), "board/samples/sccp-7912-callmanager41.pcapng");
    const config = join(dir, "config.json");
    writeFileSync(
        config,
        JSON.stringify({ capture: { file: sample }, http: { listen: "127.0.0.1:0" }, state: { dir: state } }),
    );
    chownSync(config, 0, NOBODY);
    spawnSync("chmod", ["0640", config]);
    const r = spawnSync("setpriv", asNobody([join(appCopy(), "bin/callbackd"), "run", "--config", config]), {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        timeout: HANG_MS,
    });
    t.equal(r.status, 0, "the replay still completes (durability is reported, not fatal)");
    t.match(r.stdout, /flash\.(not-writable|corrupt-slot).*unreadable|EACCES/, "and says the state cannot be read");
});

const skipLive =
    skip || ("error" in loadPcapAddon() ? "needs the pcap addon: install libpcap-dev and run npm ci" : false);

/** Runs `callbackd run` live on lo as nobody for a moment while some TCP traffic crosses the SCCP port. */
async function liveAsNobody(t: { teardown: (fn: () => void) => void }, caps: string[]) {
    const { dir, state } = stateFor(t);
    const server = createServer((s) => s.on("data", (d) => s.write(d)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => server.close());
    const port = (server.address() as { port: number }).port;
    const config = join(dir, "config.json");
    writeFileSync(
        config,
        JSON.stringify({
            capture: { interface: "lo", sccpPorts: [port] },
            http: { listen: "127.0.0.1:0" },
            state: { dir: state },
            console: { device: null, tcpEnabled: false },
            service: { connectionRetryTimeoutMs: 1000 },
        }),
    );
    chownSync(config, 0, NOBODY);
    spawnSync("chmod", ["0640", config]);
    let out = "";
    const child: ChildProcess = spawn(
        "setpriv",
        asNobody([join(appCopy(), "bin/callbackd"), "run", "--config", config], caps),
        { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    t.teardown(() => {
        if (child.exitCode === null) child.kill("SIGKILL");
    });
    child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
        out += d.toString();
    });
    await waitFor(
        () => /"capture (open|not running; retrying)"/.test(out) || child.exitCode !== null,
        "the service to open its capture or say why not",
    );
    // traffic across the port, as the mirror would see it
    const { connect } = await import("node:net");
    for (let i = 0; i < 3; i++) {
        const s = connect(port, "127.0.0.1");
        await new Promise<void>((r) => s.once("connect", () => r()));
        s.resume();
        s.end(Buffer.alloc(12));
        await new Promise((r) => s.once("close", r));
    }
    // the capture child relays frames at once (immediate mode); 3 s leaves room for a loaded machine
    await new Promise((r) => setTimeout(r, 3000));
    if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
    }
    return { out, code: child.exitCode };
}

t.test("live capture as nobody with CAP_NET_RAW only", { skip: skipLive }, async (t) => {
    const { out, code } = await liveAsNobody(t, [
        "--inh-caps=+net_raw",
        "--ambient-caps=+net_raw",
        "--bounding-set=-all,+net_raw",
    ]);
    t.equal(code, 0);
    t.match(out, /"msg":"capture open"/, "the capture opened");
    const stopped = out.split("\n").find((l) => l.includes('"msg":"callbackd stopped"')) ?? "";
    const received = /"wire":\{"frames":(\d+)/.exec(stopped)?.[1];
    t.ok(Number(received) > 0, `frames captured and decoded: ${received}`);
});

t.test("live capture as nobody without the capability: refused, retried, reported", { skip: skipLive }, async (t) => {
    const { out, code } = await liveAsNobody(t, []);
    t.equal(code, 0, "the service still stops cleanly");
    t.notMatch(out, /"msg":"capture open"/);
    t.match(out, /"msg":"capture not running; retrying"/);
    t.match(out, /permission|Operation not permitted|EPERM|socket/i, "the log says why");
});
