import { spawnSync } from "node:child_process";

/** True when `cmd` runs (exit status 0 for `cmd --version` or the given args). */
export function hasTool(cmd: string, args: string[] = ["--version"]): boolean {
    const r = spawnSync(cmd, args, { stdio: "ignore" });
    return r.error === undefined && r.status === 0;
}

/**
 * Skip reason when a tool a test needs is missing, naming the Debian package that provides it;
 * undefined when it is there. Use as `t.test(name, { skip: needTool("tshark", "tshark") }, ...)`.
 */
export function needTool(cmd: string, aptPackage: string, args?: string[]): string | false {
    return hasTool(cmd, args) ? false : `needs ${cmd}: install the Debian package ${aptPackage}`;
}

/** Skip reason unless this process may capture packets (root or CAP_NET_RAW). */
export function needCapturePrivilege(): string | false {
    if (process.getuid?.() === 0) return false;
    const r = spawnSync("sh", ["-c", "grep CapEff /proc/self/status"], { encoding: "utf8" });
    const eff = /CapEff:\s*([0-9a-f]+)/.exec(r.stdout ?? "")?.[1];
    // CAP_NET_RAW is bit 13.
    if (eff !== undefined && (BigInt(`0x${eff}`) & (1n << 13n)) !== 0n) return false;
    return "needs root or CAP_NET_RAW to capture packets";
}
