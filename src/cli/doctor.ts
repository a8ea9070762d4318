import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { loadPcapAddon } from "../capture/pcapChild.js";
import { type KnowledgeSnapshot, lackingInSnapshot } from "../cluster/knowledge.js";
import { type LoadOptions, loadConfig, loadConfigReport } from "../config/load.js";
import { SavedConfig, stateDirectory } from "../config/saved.js";
import type { Config } from "../config/types.js";
import { describeError } from "../errors.js";
import { checkPublicUrl, longestScreenUrl, XSI_URL_LIMIT } from "../phone/urls.js";
import { BOOT_CONFIG_FILES } from "../system/bootConfig.js";

/** The outcome of one check. SKIP: not applicable to this configuration. */
export type CheckStatus = "OK" | "WARN" | "FAIL" | "SKIP";

/** One line of the doctor's report. */
export interface CheckResult {
    name: string;
    status: CheckStatus;
    detail: string;
    /** What to do about it (WARN/FAIL). */
    fix?: string;
}

/** What the doctor looks at; each probe can be replaced in tests. */
export interface DoctorProbes {
    /** Effective user id (0 = root). */
    uid: () => number;
    /** The CapEff line of /proc/self/status as a bit mask, or null. */
    effectiveCaps: () => bigint | null;
    /** Where network interfaces are listed. */
    sysNet: string;
    /** "yes"/"no" from timedatectl, or null when it cannot tell. */
    ntpSynchronized: () => string | null;
    /** Loads the pcap addon, or says why not. */
    pcapAddon: () => { error: string } | object;
    /** TCP connect timeout for the broker, ms. */
    connectTimeoutMs: number;
    /** Where a first-boot configuration may wait (the boot partition). */
    bootConfigFiles: readonly string[];
    /** Whether this process may open a device for reading and writing (the serial console). */
    canOpenRw: (path: string) => boolean;
}

/** Options of `runDoctor`. */
export interface DoctorOptions {
    file?: string | undefined;
    env: NodeJS.ProcessEnv;
    out: Writable;
    probes?: Partial<DoctorProbes>;
}

const CAP_NET_RAW = 13n;

const defaultProbes: DoctorProbes = {
    uid: () => process.getuid?.() ?? -1,
    effectiveCaps: () => {
        try {
            const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
            return m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : null;
        } catch {
            return null;
        }
    },
    sysNet: "/sys/class/net",
    ntpSynchronized: () => {
        try {
            const v = execFileSync("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
                timeout: 3000,
            }).trim();
            return v === "" ? null : v;
        } catch {
            return null;
        }
    },
    pcapAddon: loadPcapAddon,
    connectTimeoutMs: 2000,
    bootConfigFiles: BOOT_CONFIG_FILES,
    canOpenRw: (path) => {
        try {
            accessSync(path, constants.R_OK | constants.W_OK);
            return true;
        } catch {
            return false;
        }
    },
};

/** Runs every check, prints one line per check; resolves with 0 when nothing failed, else 1. */
export async function runDoctor(opts: DoctorOptions): Promise<number> {
    const results = await diagnose(opts);
    for (const r of results) {
        opts.out.write(`${r.status.padEnd(4)} ${r.name}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ""}\n`);
    }
    const failed = results.filter((r) => r.status === "FAIL").length;
    const warned = results.filter((r) => r.status === "WARN").length;
    opts.out.write(`${failed} failed, ${warned} warning(s)\n`);
    return failed === 0 ? 0 : 1;
}

/** The checks, in order: configuration first (the others read it). */
export async function diagnose(opts: DoctorOptions): Promise<CheckResult[]> {
    const p: DoctorProbes = { ...defaultProbes, ...opts.probes };
    const results: CheckResult[] = [];
    // One bad key must not hide the rest: the other checks use the operator's values, that key at its default.
    // With the state directory's saved and desired configurations when the file itself loads.
    let options: LoadOptions = { ...(opts.file !== undefined ? { file: opts.file } : {}), env: opts.env };
    try {
        options = SavedConfig.locate(options).loadOptions();
    } catch {
        // the file's own problems are reported below
    }
    const report = loadConfigReport(options);
    const config = report.config;
    const where = opts.file ?? opts.env.CALLBACKD_CONFIG ?? "defaults";
    if (report.error === null) results.push({ name: "config", status: "OK", detail: where });
    else {
        results.push({
            name: "config",
            status: "FAIL",
            detail:
                report.error.code === "CONFIG_INVALID"
                    ? `CONFIG_INVALID: ${report.problems.map((x) => `${x.key}: ${x.reason}`).join("; ")}`
                    : `${report.error.code}: ${report.error.message}`,
            fix:
                report.problems.length > 0 && report.error.code === "CONFIG_INVALID"
                    ? `correct ${report.problems.map((x) => x.key).join(", ")} (callbackd config --check --config FILE); the other checks use the default for ${report.problems.length === 1 ? "it" : "them"}`
                    : "correct the file (callbackd config --check --config FILE); the other checks use the defaults",
        });
    }
    results.push(checkPrivilege(config, p));
    results.push(checkSource(config, p));
    results.push(checkStateDir(config, opts.env));
    results.push(await checkKnowledge(config, opts.env));
    results.push(await checkBroker(config, p));
    results.push(checkPush(config));
    results.push(checkPhoneUrls(config));
    results.push(checkSerialConsole(config, p));
    results.push(checkConsoleLogin(config));
    results.push(checkTime(p));
    results.push(checkPcap(config, p));
    results.push(checkBootConfig(p));
    return results;
}

function checkPrivilege(config: Config, p: DoctorProbes): CheckResult {
    const name = "capture privilege";
    const caps = p.effectiveCaps();
    const netRaw = caps !== null && ((caps >> CAP_NET_RAW) & 1n) === 1n;
    // Root captures through its capabilities, not its uid: a container or setpriv may have dropped them.
    if (p.uid() === 0 && (caps === null || netRaw)) return { name, status: "OK", detail: "running as root" };
    if (netRaw) return { name, status: "OK", detail: "CAP_NET_RAW is effective" };
    if (p.uid() === 0) {
        return {
            name,
            status: config.capture.interface === null ? "SKIP" : "WARN",
            detail: "running as root, but without CAP_NET_RAW (dropped by a container or by setpriv)",
            fix: "give the process CAP_NET_RAW (e.g. docker --cap-add NET_RAW); callbackd.service grants it as an ambient capability",
        };
    }
    return {
        name,
        status: config.capture.interface === null ? "SKIP" : "WARN",
        detail: "this process has neither root nor CAP_NET_RAW",
        fix: "run doctor as root; the service gets CAP_NET_RAW from AmbientCapabilities= in callbackd.service",
    };
}

function checkSource(config: Config, p: DoctorProbes): CheckResult {
    const name = "capture source";
    const ifname = config.capture.interface;
    if (ifname !== null) {
        if (!existsSync(join(p.sysNet, ifname))) {
            let known = "";
            try {
                known = readdirSync(p.sysNet).join(", ");
            } catch {
                known = "unknown";
            }
            return {
                name,
                status: "FAIL",
                detail: `interface ${ifname} does not exist (present: ${known})`,
                fix: "set capture.interface to the NIC on the mirror (SPAN) port",
            };
        }
        let state = "unknown";
        try {
            state = readFileSync(join(p.sysNet, ifname, "operstate"), "utf8").trim();
        } catch {
            // Some virtual interfaces have no operstate.
        }
        if (state === "down") {
            return {
                name,
                status: "WARN",
                detail: `interface ${ifname} is down`,
                fix: "check the cable to the switch's mirror port and `ip link set dev IF up`",
            };
        }
        return { name, status: "OK", detail: `interface ${ifname} (${state})` };
    }
    if (config.capture.file !== null) {
        try {
            accessSync(config.capture.file, constants.R_OK);
            return { name, status: "OK", detail: `capture file ${config.capture.file}` };
        } catch {
            return {
                name,
                status: "FAIL",
                detail: `capture file ${config.capture.file} is not readable`,
                fix: "correct capture.file",
            };
        }
    }
    return {
        name,
        status: "FAIL",
        detail: "no capture.interface nor capture.file",
        fix: "set capture.interface to the NIC on the mirror port (e.g. eth0)",
    };
}

function checkStateDir(config: Config, env: NodeJS.ProcessEnv): CheckResult {
    const name = "state directory";
    const dir = stateDirectory(config, env);
    if (!existsSync(dir)) {
        let parent = dirname(dir);
        while (!existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
        try {
            accessSync(parent, constants.W_OK);
            return {
                name,
                status: "WARN",
                detail: `${dir} does not exist yet (will be created)`,
                fix: "mount the data partition there before starting the service",
            };
        } catch {
            return {
                name,
                status: "FAIL",
                detail: `${dir} does not exist and ${parent} is not writable`,
                fix: "create it (systemd's StateDirectory= does) on the data partition",
            };
        }
    }
    const probe = join(dir, `.doctor-${process.pid}`);
    try {
        writeFileSync(probe, "ok");
        rmSync(probe, { force: true });
        return { name, status: "OK", detail: `${dir} is writable` };
    } catch (err) {
        return {
            name,
            status: "FAIL",
            detail: `${dir} is not writable (${(err as Error).message})`,
            fix: "check the data partition is mounted read-write and owned by callbackd",
        };
    }
}

/**
 * What the box learned about the phones (the newest snapshot in the state directory): a box installed in a
 * running office, or one that lost its state, knows nothing of phones that registered before; each phone
 * that lacks what Call Back needs is named with what it lacks.
 */
async function checkKnowledge(config: Config, env: NodeJS.ProcessEnv): Promise<CheckResult> {
    const name = "phone knowledge";
    const dir = stateDirectory(config, env);
    const REMEDY = "reset these phones from CallManager (Device > Phone > Reset), or wait for their next registration";
    if (!existsSync(dir)) return { name, status: "SKIP", detail: "no state directory yet" };
    const { readStateDirectory } = await import("./snapshot.js");
    let k: KnowledgeSnapshot | null;
    try {
        k = (await readStateDirectory(dir)).knowledge?.content ?? null;
    } catch (err) {
        return { name, status: "WARN", detail: `the state directory cannot be read: ${describeError(err).message}` };
    }
    if (k === null || k.devices.length === 0) {
        return {
            name,
            status: "WARN",
            detail: "no phone learned yet: the box learns a phone at its registration (or, partly, from its calls)",
            fix: `after installing the box in a running office, ${REMEDY}`,
        };
    }
    const lacking = lackingInSnapshot(k);
    if (lacking.length === 0) {
        return { name, status: "OK", detail: `${k.devices.length} phone(s) known with their CallBack key and numbers` };
    }
    const shown = lacking
        .slice(0, 10)
        .map((x) => `${x.device.name ?? x.device.key} lacks ${x.missing.join(" and ")}`)
        .join("; ");
    return {
        name,
        status: "WARN",
        detail: `${lacking.length} of ${k.devices.length} phone(s) cannot be served fully: ${shown}${lacking.length > 10 ? `; and ${lacking.length - 10} more (callbackd snapshot lists them)` : ""}`,
        fix: REMEDY,
    };
}

/** Host and port of an MQTT broker URL (default ports per scheme). */
export function brokerAddress(url: string): { host: string; port: number } {
    const u = new URL(url);
    const defaults: Record<string, number> = { "mqtt:": 1883, "tcp:": 1883, "mqtts:": 8883, "ws:": 80, "wss:": 443 };
    const port = u.port === "" ? (defaults[u.protocol] ?? 1883) : Number(u.port);
    return { host: u.hostname.replace(/^\[|\]$/g, ""), port };
}

async function checkBroker(config: Config, p: DoctorProbes): Promise<CheckResult> {
    const name = "MQTT broker";
    if (config.mqtt.url === null) return { name, status: "SKIP", detail: "mqtt.url not configured" };
    let addr: { host: string; port: number };
    try {
        addr = brokerAddress(config.mqtt.url);
    } catch {
        return { name, status: "FAIL", detail: `mqtt.url is not a URL`, fix: "e.g. mqtt://broker.example:1883" };
    }
    const where = `${addr.host}:${addr.port}`;
    const error = await new Promise<string | null>((done) => {
        const socket = connect({ host: addr.host, port: addr.port });
        const finish = (why: string | null): void => {
            socket.destroy();
            done(why);
        };
        socket.setTimeout(p.connectTimeoutMs, () => finish(`no answer within ${p.connectTimeoutMs} ms`));
        socket.once("connect", () => finish(null));
        socket.once("error", (err) => finish(err.message));
    });
    if (error === null) return { name, status: "OK", detail: `${where} accepts TCP connections` };
    return {
        name,
        status: "FAIL",
        detail: `${where} not reachable (${error})`,
        fix: "check mqtt.url, the broker, and firewalls between the box and the broker",
    };
}

function checkPush(config: Config): CheckResult {
    const name = "phone push user";
    if (config.phones.pushUser === null) {
        return {
            name,
            status: "WARN",
            detail: "phones.pushUser is not set: screens and the twinkle cannot be pushed",
            fix: "create a CallManager user associated with the phones and set phones.pushUser/pushPassword",
        };
    }
    return { name, status: "OK", detail: `pushing as ${config.phones.pushUser}` };
}

function checkSerialConsole(config: Config, p: DoctorProbes): CheckResult {
    const name = "serial console";
    const device = config.console.device;
    if (device === null) return { name, status: "SKIP", detail: "console.device is null (no serial console)" };
    let st: ReturnType<typeof statSync>;
    try {
        st = statSync(device);
    } catch {
        return {
            name,
            status: "WARN",
            detail: `${device} does not exist (the service retries every service.connectionRetryTimeoutMs)`,
            fix: "enable the UART (enable_uart=1, board/<board>/README.md) or plug in the USB-serial adapter; null turns it off",
        };
    }
    if (!st.isCharacterDevice()) {
        return {
            name,
            status: "FAIL",
            detail: `${device} is not a character device`,
            fix: "set console.device to the serial device, e.g. /dev/serial0 or /dev/ttyUSB0",
        };
    }
    if (!p.canOpenRw(device)) {
        return {
            name,
            status: "WARN",
            detail: `${device} cannot be opened for reading and writing by this user`,
            fix: "the service user must be in the dialout group (callbackd.sysusers.conf does it); run doctor as that user or root",
        };
    }
    return { name, status: "OK", detail: `${device} at ${config.console.baudRate} baud` };
}

function checkConsoleLogin(config: Config): CheckResult {
    const name = "console login";
    if (config.console.device === null && !config.console.tcpEnabled) {
        return { name, status: "SKIP", detail: "no console (no serial device, TCP console off)" };
    }
    if (config.console.passwordHash === null) {
        return {
            name,
            status: "WARN",
            detail: "console.passwordHash is not set: every console login is refused",
            fix: "make a hash with `callbackd console --hash` and set console.passwordHash",
        };
    }
    return {
        name,
        status: "OK",
        detail: `password set${config.console.enablePasswordHash === null ? " (enable uses the login password)" : ", enable password set"}`,
    };
}

function checkPhoneUrls(config: Config): CheckResult {
    const name = "phone screen URLs";
    const url = config.http.publicUrl;
    if (url === null) return { name, status: "SKIP", detail: "http.publicUrl not set (taken from http.listen)" };
    try {
        checkPublicUrl(url);
    } catch (err) {
        const e = describeError(err);
        return { name, status: "FAIL", detail: `${e.code}: ${e.message}`, fix: "shorten http.publicUrl" };
    }
    return { name, status: "OK", detail: `longest ${longestScreenUrl(url).length} of ${XSI_URL_LIMIT} characters` };
}

function checkTime(p: DoctorProbes): CheckResult {
    const name = "time sync";
    const v = p.ntpSynchronized();
    if (v === "yes") return { name, status: "OK", detail: "NTP synchronized" };
    if (v === "no") {
        return {
            name,
            status: "WARN",
            detail: "clock not synchronized",
            fix: "enable systemd-timesyncd (timedatectl set-ntp true) and check NTP reachability",
        };
    }
    return {
        name,
        status: "WARN",
        detail: "unknown (timedatectl not available)",
        fix: "make sure an NTP client runs: notification times are shown on the phones",
    };
}

function checkPcap(config: Config, p: DoctorProbes): CheckResult {
    const name = "pcap addon";
    const addon = p.pcapAddon();
    if ("error" in addon) {
        return {
            name,
            status: config.capture.interface === null ? "WARN" : "FAIL",
            detail: String(addon.error),
            fix: "install libpcap (libpcap0.8) and reinstall the release for this architecture",
        };
    }
    return { name, status: "OK", detail: "loads" };
}

function checkBootConfig(p: DoctorProbes): CheckResult {
    const name = "boot-partition config";
    const file = p.bootConfigFiles.find((f) => existsSync(f));
    if (file === undefined) return { name, status: "SKIP", detail: "no callbackd.json on the boot partition" };
    try {
        loadConfig({ file, env: {} });
    } catch (err) {
        const e = describeError(err);
        return {
            name,
            status: "WARN",
            detail: `${file} is invalid and is not applied (${e.code}: ${e.message})`,
            fix: "correct it (callbackd config --check --config FILE) or delete it",
        };
    }
    return {
        name,
        status: "WARN",
        detail: `${file} is valid and replaces the configuration at the next start`,
        fix: "systemctl restart callbackd (or delete the file to keep the current configuration)",
    };
}
