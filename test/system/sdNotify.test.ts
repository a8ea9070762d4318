import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { SystemdNotifier, unixDgramTransport, watchdogIntervalMs } from "../../src/system/sdNotify.js";
import { waitFor } from "../helpers/wait.js";

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
    // Counted in watchdog checks, not milliseconds: a loaded machine runs the 30 ms interval late, not wrong.
    let checks = 0;
    t.ok(
        n.startWatchdog(() => {
            checks++;
            return healthy;
        }),
    );
    const pings = () => got.filter((m) => m === "WATCHDOG=1").length;
    await waitFor(() => pings() >= 2, "two watchdog pings while healthy");
    healthy = false;
    const sentWhileHealthy = n.sent;
    const checksThen = checks;
    await waitFor(() => checks >= checksThen + 3, "three more watchdog checks while unhealthy");
    t.equal(n.sent, sentWhileHealthy, "no pings once unhealthy");
    n.stopping("shutting down");
    await waitFor(() => got.at(-1)?.startsWith("STOPPING=1") === true, "the stopping notice");
    n.close();
    t.equal(got[0], "READY=1\nSTATUS=capturing on eth0 restored 3 call-backs", "a status stays on one line");
    t.equal(pings(), sentWhileHealthy - 1, `every ping sent while healthy arrived (${pings()})`);
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
