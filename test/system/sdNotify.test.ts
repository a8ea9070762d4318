import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { SystemdNotifier, unixDgramTransport, watchdogIntervalMs } from "../../src/system/sdNotify.js";

interface Server {
    on(e: "message", l: (b: Buffer) => void): void;
    on(e: "listening" | "error", l: (x?: unknown) => void): void;
    bind(p: string): void;
    close(): void;
}
let unix: { createSocket(type: "unix_dgram"): Server } | null = null;
try {
    unix = createRequire(import.meta.url)("unix-dgram");
} catch {
    unix = null;
}
const skip = unix === null ? "needs the unix-dgram addon (npm ci with a C++ toolchain)" : false;

t.test("watchdog interval: half of WATCHDOG_USEC, only for our pid", async (t) => {
    t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" }), 15000);
    t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: String(process.pid) }), 15000);
    t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "1" }), null);
    t.equal(watchdogIntervalMs({}), null);
    t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "nonsense" }), null);
});

t.test("without NOTIFY_SOCKET everything is a no-op", async (t) => {
    const n = new SystemdNotifier({ env: {} });
    t.equal(n.enabled, false);
    n.ready("up");
    n.status("x");
    n.stopping();
    t.equal(n.sent, 0);
    t.equal(
        n.startWatchdog(() => true),
        false,
    );
    n.close();
});

t.test("the notify protocol over a real unix datagram socket", { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-notify-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "notify");
    const got: string[] = [];
    const server = unix!.createSocket("unix_dgram");
    server.on("message", (b: Buffer) => got.push(b.toString()));
    await new Promise<void>((resolve, reject) => {
        server.on("listening", () => resolve());
        server.on("error", reject);
        server.bind(path);
    });
    t.teardown(() => server.close());
    let healthy = true;
    const n = new SystemdNotifier({ env: { NOTIFY_SOCKET: path, WATCHDOG_USEC: "60000" } });
    t.equal(n.enabled, true);
    t.equal(n.watchdogIntervalMs, 30);
    n.ready("capturing on eth0\nrestored 3 call-backs");
    t.ok(n.startWatchdog(() => healthy));
    await new Promise((r) => setTimeout(r, 100));
    healthy = false;
    const pings = got.filter((m) => m === "WATCHDOG=1").length;
    await new Promise((r) => setTimeout(r, 100));
    n.stopping("shutting down");
    await new Promise((r) => setTimeout(r, 30));
    n.close();
    t.equal(got[0], "READY=1\nSTATUS=capturing on eth0 restored 3 call-backs", "a status stays on one line");
    t.ok(pings >= 1, `${pings} watchdog pings while healthy`);
    t.equal(got.filter((m) => m === "WATCHDOG=1").length, pings, "no pings once unhealthy");
    t.equal(got.at(-1), "STOPPING=1\nSTATUS=shutting down");
});

t.test("a NOTIFY_SOCKET without the addon is reported, not fatal", async (t) => {
    const reasons: string[] = [];
    const n = new SystemdNotifier({
        env: { NOTIFY_SOCKET: "/nonexistent/notify" },
        transport: null,
        onUnavailable: (why) => reasons.push(why),
    });
    // With the addon installed this is enabled (sending to a missing socket is best effort).
    t.equal(n.enabled || reasons.length === 1, true);
    n.ready();
    n.close();
    const tr = unixDgramTransport("@callbackd-test-abstract");
    if (!("error" in tr)) {
        tr.send("READY=1");
        tr.close();
    }
});
