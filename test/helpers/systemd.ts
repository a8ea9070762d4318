/**
 * A systemd to run transient units under. Where systemd runs the machine (PID 1) that one is used; elsewhere
 * (a container, a CI sandbox) a private one is booted as PID 1 of new PID and mount namespaces, with its own
 * /run and an empty default target, so it starts nothing of the host's and goes away with its namespace.
 * The private one has its own /tmp: files a unit shares with the test go where `run("cat", …)` reads them.
 * Needs root; the skip reason names what is missing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { HANG_MS, waitFor } from "./wait.js";

const SYSTEMD = "/lib/systemd/systemd";

/** Runs systemd's tools (systemd-run, systemctl) against one manager. */
export interface Systemd {
    /** Runs `cmd args` against this manager; stdout, stderr and the exit status. */
    run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string };
    /** Stops a private manager (everything it started goes with it); nothing for the machine's own. */
    stop(): Promise<void>;
}

/** Skip reason unless a systemd can be used here (the machine's, or a private one). */
export function needSystemd(): string | false {
    if (process.getuid?.() !== 0) return "needs root to start transient systemd units";
    if (existsSync("/run/systemd/system")) return false;
    if (!existsSync(SYSTEMD)) return `needs ${SYSTEMD}: install the Debian package systemd`;
    if (spawnSync("unshare", ["--version"], { stdio: "ignore" }).status !== 0)
        return "needs unshare: install the Debian package util-linux";
    return false;
}

/**
 * The private manager gets its own /run, /tmp and /var/tmp, and the boot-time clean-ups are masked: a
 * service pulled in through sysinit.target once emptied the machine's /tmp (systemd-tmpfiles --boot).
 * Units started under it should also say DefaultDependencies=no.
 */
const BOOT = `
mount=$(readlink -f "$(command -v mount)")
"$mount" -t tmpfs tmpfs /run
mkdir -p /run/systemd/system
printf '[Unit]\\nDescription=callbackd tests: the manager and nothing else\\n' > /run/systemd/system/cbk-tests.target
for u in sysinit.target systemd-tmpfiles-setup.service systemd-tmpfiles-clean.service systemd-tmpfiles-clean.timer; do
    ln -s /dev/null /run/systemd/system/$u
done
# last: PATH may lead into /tmp (scripts/without-tools), which these hide
"$mount" -t tmpfs tmpfs /tmp
"$mount" -t tmpfs tmpfs /var/tmp
export container=callbackd-tests
exec ${SYSTEMD} --system --unit=cbk-tests.target --log-target=null
`;

/** The machine's systemd, or a private one booted for the caller (stop it when done). */
export async function startSystemd(): Promise<Systemd> {
    if (existsSync("/run/systemd/system")) {
        return {
            run: (cmd, args) => result(spawnSync(cmd, args, { encoding: "utf8" })),
            stop: async () => {},
        };
    }
    const unshare: ChildProcess = spawn(
        "unshare",
        ["--pid", "--fork", "--mount", "--propagation", "private", "--mount-proc", "sh", "-c", BOOT],
        { stdio: "ignore" },
    );
    const exited = new Promise<void>((resolve) => unshare.once("exit", () => resolve()));
    let pid: number | null = null;
    // The manager is unshare's forked child (PID 1 inside); `--` keeps nsenter from taking the tool's options.
    const run = (cmd: string, args: string[]) => {
        if (pid === null) throw new Error("the private systemd is not running");
        return result(
            spawnSync("nsenter", ["-t", String(pid), "-m", "-p", "--", resolved(cmd), ...args], {
                encoding: "utf8",
                timeout: HANG_MS,
            }),
        );
    };
    const stop = async () => {
        // SIGKILL to a PID namespace's init ends every process in it; SIGTERM would only re-execute systemd.
        if (pid !== null) process.kill(pid, "SIGKILL");
        else unshare.kill("SIGKILL");
        await exited;
    };
    try {
        await waitFor(() => {
            if (unshare.exitCode !== null) throw new Error("unshare ended before systemd started");
            if (pid === null && unshare.pid !== undefined) {
                const child = spawnSync("pgrep", ["-P", String(unshare.pid)], { encoding: "utf8" }).stdout.trim();
                if (child !== "") pid = Number(child.split("\n")[0]);
            }
            return pid !== null && /^(running|degraded)/.test(run("systemctl", ["is-system-running"]).stdout);
        }, "the private systemd to start");
    } catch (err) {
        await stop();
        throw err;
    }
    return { run, stop };
}

/**
 * The command's real file, found on this process's PATH: inside the manager's namespaces /tmp is another
 * one, so a PATH leading there (scripts/without-tools) finds nothing.
 */
function resolved(cmd: string): string {
    for (const dir of (process.env.PATH ?? "").split(":")) {
        if (dir === "") continue;
        const file = join(dir, cmd);
        if (existsSync(file)) return realpathSync(file);
    }
    return cmd;
}

function result(r: ReturnType<typeof spawnSync>): { status: number | null; stdout: string; stderr: string } {
    return { status: r.status, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}
