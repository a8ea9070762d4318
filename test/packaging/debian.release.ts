/**
 * The Debian packages end to end (npm run test:release; slow, so not part of npm test): one command builds
 * both, the build is reproducible, lintian has nothing to say that is not overridden with a reason, the arm64
 * package's program runs under qemu-user (its native addons load, it decodes a capture and replays one to the
 * simulator's XSI phones), and the amd64 package installs into a scratch root where its maintainer scripts
 * create the user and enable the unit, the installed doctor passes, the installed unit verifies with an
 * exposure of at most 2.6, an upgrade keeps the configuration and the state, and purge removes both.
 */
import { type SpawnOptions, spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { XsiPhoneService } from "../../src/sim/xsi/service.js";
import { freeLoopbackPort, recordBusyCallBack } from "../cli/simCapture.js";
import { needTool } from "../helpers/tools.js";

const repo = join(import.meta.dirname, "../..");
const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), "callbackd-debs-"));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const out = join(work, "out");
const debs = { arm64: join(out, `callbackd_${version}_arm64.deb`), amd64: join(out, `callbackd_${version}_amd64.deb`) };
const sample = join(repo, "board/samples/sccp-7912-callmanager41.pcapng");

/** Skip reason when a file a Debian package provides is missing. */
function needFile(file: string, aptPackage: string): string | false {
    return existsSync(file) ? false : `needs ${file}: install the Debian package ${aptPackage}`;
}

const buildSkip =
    (existsSync(join(repo, "dist/cli/main.js")) ? false : "needs dist/: run npm run build") ||
    needTool("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu") ||
    needTool("x86_64-linux-gnu-g++", "g++") ||
    needTool("make", "make") ||
    needFile(
        "/usr/lib/aarch64-linux-gnu/libpcap.so",
        "libpcap0.8-dev:arm64 (after dpkg --add-architecture arm64 and apt-get update)",
    ) ||
    needFile("/usr/lib/x86_64-linux-gnu/libpcap.so", "libpcap0.8-dev");
const qemuSkip =
    buildSkip ||
    needTool("qemu-aarch64-static", "qemu-user-static") ||
    needFile("/usr/aarch64-linux-gnu/lib/libstdc++.so.6", "libstdc++6-arm64-cross") ||
    needFile("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1", "libc6-arm64-cross") ||
    needTool("xmllint", "libxml2-utils");
const lintianSkip = buildSkip || needTool("lintian", "lintian");
const installSkip = buildSkip || needTool("systemd-analyze", "systemd");

/** Output and status of a finished command. */
interface Ran {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command without blocking the event loop (the simulator's phones answer meanwhile); a command
 * still running after `timeoutMs` is killed (status null), so a hang fails the test instead of stalling it. */
function run(cmd: string, args: string[], opts: SpawnOptions = {}, timeoutMs = 300_000): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: repo, ...opts, stdio: ["ignore", "pipe", "pipe"] });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (b: Buffer) => {
            stdout += b.toString();
        });
        child.stderr?.on("data", (b: Buffer) => {
            stderr += b.toString();
        });
        child.once("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.once("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

/** Asserts that a command succeeded; its error output is shown only when it did not. */
function succeeded(t: Test, r: Ran, what: string): void {
    t.equal(r.status, 0, what);
    if (r.status !== 0) t.comment(r.stderr || r.stdout);
}

/** scripts/release for the given architectures, with its temporary files under `tmp`. */
function release(arch: string, outDir: string, tmp: string): Promise<Ran> {
    mkdirSync(tmp, { recursive: true });
    return run(join(repo, "scripts/release"), ["--skip-build", "--arch", arch, "--out", outDir], {
        env: { ...process.env, TMPDIR: tmp },
    });
}

let built: Ran | null = null;
t.before(async () => {
    if (buildSkip === false) built = await release("arm64,x64", out, join(work, "tmp-a"));
});

t.test("one command builds both packages, with checksums", { skip: buildSkip }, async (t) => {
    if (built !== null) succeeded(t, built, "scripts/release --arch arm64,x64");
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8");
    for (const [arch, deb] of Object.entries(debs)) {
        t.ok(existsSync(deb), `${arch} package`);
        t.match(sums, new RegExp(`^[0-9a-f]{64}  callbackd_${version}_${arch}\\.deb$`, "m"));
        const f = (field: string) => spawnSync("dpkg-deb", ["-f", deb, field], { encoding: "utf8" }).stdout.trim();
        t.equal(f("Package"), "callbackd");
        t.equal(f("Version"), version);
        t.equal(f("Architecture"), arch);
        // Nothing from outside Debian bookworm / Raspberry Pi OS: no nodejs, no npm.
        t.equal(f("Depends"), "libc6 (>= 2.28), libgcc-s1 (>= 4.2), libstdc++6 (>= 5), libpcap0.8 (>= 1.5), systemd");
        t.equal(
            spawnSync("dpkg-deb", ["-I", deb, "conffiles"], { encoding: "utf8" }).stdout,
            "/etc/callbackd/config.json\n",
        );
        const list = spawnSync("dpkg-deb", ["-c", deb], { encoding: "utf8", maxBuffer: 1 << 26 }).stdout;
        for (const path of [
            "./usr/bin/callbackd",
            "./usr/lib/callbackd/node/bin/node",
            "./usr/lib/callbackd/bin/callbackd",
            "./usr/lib/callbackd/dist/cli/main.js",
            "./usr/lib/callbackd/node_modules/pcap/build/Release/pcap_binding.node",
            "./usr/lib/callbackd/node_modules/unix-dgram/build/Release/unix_dgram.node",
            "./usr/lib/callbackd/board/CallBack.raw",
            "./usr/lib/callbackd/board/rpi5/config.txt",
            "./usr/lib/callbackd/RUNTIME",
            "./usr/lib/callbackd/SHA256SUMS",
            "./lib/systemd/system/callbackd.service",
            "./usr/lib/sysusers.d/callbackd.conf",
            "./usr/lib/tmpfiles.d/callbackd.conf",
            "./etc/callbackd/config.json",
            "./usr/share/doc/callbackd/OPERATIONS.md",
            "./usr/share/doc/callbackd/copyright",
            "./usr/share/man/man1/callbackd.1.gz",
        ]) {
            t.match(list, new RegExp(` ${path.replace(/[.+]/g, "\\$&")}$`, "m"), `${arch}: ${path}`);
        }
        t.notMatch(list, / \.\/opt\//, "nothing in /opt");
        t.notMatch(list, /node_modules\/(typescript|tap|@biomejs)\//, "no dev dependencies");
        t.notMatch(list, /prebuilds\/(darwin|win32|android)/, "no other platform's serialport prebuilds");
        t.match(
            list,
            /^-rw-r----- root\/root .* \.\/etc\/callbackd\/config\.json$/m,
            "the config is not world-readable",
        );
    }
    t.comment(
        `sizes: arm64 ${(statSync(debs.arm64).size / 1e6).toFixed(1)} MB, amd64 ${(statSync(debs.amd64).size / 1e6).toFixed(1)} MB`,
    );
});

t.test("lintian is silent, and the same inputs give the same bytes", { skip: buildSkip }, async (t) => {
    // Both at once: lintian and a second build elsewhere (another temporary directory, another output).
    const lint =
        lintianSkip === false
            ? run("lintian", ["--pedantic", "--display-info", "--display-experimental", debs.arm64, debs.amd64])
            : null;
    const again = await release("arm64", join(work, "out-b"), join(work, "tmp-b"));
    succeeded(t, again, "the second build");
    const a = readFileSync(debs.arm64);
    const b = readFileSync(join(work, "out-b", `callbackd_${version}_arm64.deb`));
    t.ok(a.equals(b), "the arm64 package, built twice in different directories, is byte for byte the same");
    if (lint === null) {
        t.comment(`lintian skipped: ${lintianSkip}`);
        return;
    }
    const l = await lint;
    // Root is told it should not run lintian; any tag at all (E, W, I, P, X) fails.
    const tags = `${l.stdout}${l.stderr}`.split("\n").filter((line) => /^[EWIPXOC]: /.test(line));
    t.same(tags, [], "no tag that is not overridden (packaging/deb/lintian-overrides gives the reasons)");
    t.equal(l.status, 0);
});

/** qemu-user runs the arm64 program; see the comment in the qemu test. */
function qemu(root: string, args: string[], opts: SpawnOptions = {}): Promise<Ran> {
    return run(
        "qemu-aarch64-static",
        ["-L", "/usr/aarch64-linux-gnu", join(root, "usr/lib/callbackd/node/bin/node"), ...args],
        {
            ...opts,
            env: { ...process.env, ...opts.env, LD_LIBRARY_PATH: "/usr/aarch64-linux-gnu/lib" },
        },
    );
}

t.test(
    "arm64 under qemu: the addons load, a capture decodes, a replay reaches the XSI phones",
    { skip: qemuSkip },
    async (t) => {
        // The package's own runtime, run by qemu-user directly (no binfmt). -L gives the arm64 dynamic loader of
        // the cross C library; LD_LIBRARY_PATH makes that loader take the cross C and C++ libraries too: the
        // multiarch libc6:arm64 (pulled in by libpcap0.8:arm64, found through ld.so.cache) is a different build
        // of glibc than the cross loader, and mixing them hangs in pthread_create. libpcap itself comes from
        // multiarch, as on a Pi.
        const root = join(work, "arm64-root");
        const x = await run("dpkg-deb", ["-x", debs.arm64, root]);
        succeeded(t, x, "dpkg-deb -x");
        const cli = join(root, "usr/lib/callbackd/bin/callbackd");

        const probe = await qemu(root, [
            "-e",
            `const lib = process.argv[1];
         const pcap = require(lib + "/node_modules/pcap");
         const dgram = require(lib + "/node_modules/unix-dgram");
         const s = dgram.createSocket("unix_dgram"); s.close();
         const gypBuild = require(lib + "/node_modules/node-gyp-build");
         const serial = gypBuild.path(lib + "/node_modules/@serialport/bindings-cpp");
         gypBuild(lib + "/node_modules/@serialport/bindings-cpp");
         console.log(JSON.stringify({ arch: process.arch, node: process.version, pcap: pcap.lib_version, serial: serial.slice(lib.length) }));`,
            join(root, "usr/lib/callbackd"),
        ]);
        succeeded(t, probe, "the addons load under qemu");
        const loaded = JSON.parse(probe.stdout) as Record<string, string>;
        t.equal(loaded.arch, "arm64", "the arm64 runtime");
        t.match(loaded.node, /^v20\./, "Node.js 20");
        t.match(loaded.pcap, /^libpcap version 1\./, "pcap loaded and linked to libpcap");
        t.equal(loaded.serial, "/node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/node.napi.armv8.node");

        // decode: the same records as this machine's build decodes from the sample capture.
        const arm = await qemu(root, [cli, "decode", sample, "--json"]);
        succeeded(t, arm, "callbackd decode under qemu");
        const host = await run(process.execPath, [join(repo, "bin/callbackd"), "decode", sample, "--json"]);
        t.ok(arm.stdout.split("\n").length > 60, "records decoded");
        t.equal(arm.stdout, host.stdout, "the same records as on this machine");

        // replay: a recorded busy Call Back replayed by the arm64 program; the simulator's XSI phones (on
        // their own loopback addresses, one port) get the activation screen, then the twinkle and the
        // notification, both fetched from the replay's own phone-facing HTTP service.
        const pcap = join(work, "callback.pcap");
        const cmPort = await freeLoopbackPort();
        const ips = await recordBusyCallBack(pcap, cmPort);
        const phones = new Map<string, XsiPhoneService>();
        let xsiPort = 0;
        for (const ip of ips) {
            const phone = new XsiPhoneService({
                host: ip,
                port: xsiPort,
                phone: {
                    model: "7960",
                    deviceName: `SEP${ip}`,
                    isIdle: () => true,
                    isRinging: () => false,
                    dial: () => {},
                },
                auth: { user: "cbpush", password: "pa55-Word!" },
                audio: { dir: join(root, "usr/lib/callbackd/board") },
            });
            await phone.start();
            t.teardown(() => phone.stop());
            xsiPort = phone.address.port;
            phones.set(ip, phone);
        }
        const config = join(work, "replay.json");
        writeFileSync(
            config,
            JSON.stringify({
                http: { listen: "127.0.0.1:0" },
                capture: { sccpPorts: [cmPort] },
                phones: {
                    pushUser: "cbpush",
                    pushPassword: "pa55-Word!",
                    pushUrl: `http://{ip}:${xsiPort}/CGI/Execute`,
                },
                log: { level: "warn" },
            }),
        );
        const replay = await qemu(root, [cli, "replay", pcap, "--config", config, "--speed", "10", "--linger", "2"]);
        succeeded(t, replay, "callbackd replay under qemu");
        t.match(replay.stdout, /requests made: 1\nnotified: 1\n/);
        t.match(replay.stdout, /pushes: 2 ok, 0 failed/);
        const caller = phones.get(ips[2]!)!;
        const texts = caller.screens.map((s) => s.text);
        t.equal(texts.length, 2, "two screens on the caller's phone");
        t.match(texts[0], /^Call Back is activated on 1002\./, "the activation");
        t.match(texts[1], /^1002 has become available .*Press Dial to Call/, "then the notification");
        t.same(caller.sounds, ["CallBack.raw"], "and played the twinkle");
        t.same(phones.get(ips[1]!)?.screens, [], "the called phone saw nothing");
    },
);

/** dpkg on a scratch root: maintainer scripts run here with DPKG_ROOT set, and touch only that tree. */
function dpkg(root: string, ...args: string[]): Promise<Ran> {
    return run("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", "--log=/dev/null", ...args]);
}

/** The user database of the scratch root: name → [uid or gid, ...rest]. */
function entries(file: string): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const line of readFileSync(file, "utf8").split("\n")) {
        const [name, , id, ...rest] = line.split(":");
        if (name) m.set(name, [id ?? "", ...rest]);
    }
    return m;
}

t.test(
    "amd64 in a scratch root: installed, configured, verified, upgraded, purged",
    { skip: installSkip },
    async (t) => {
        const root = join(work, "amd64-root");
        mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
        mkdirSync(join(root, "var/lib/dpkg/updates"), { recursive: true });
        writeFileSync(join(root, "var/lib/dpkg/status"), "");
        const first = await dpkg(root, "-i", debs.amd64);
        succeeded(t, first, "dpkg -i");

        // postinst: the user (in dialout), /etc/callbackd and the config owned by its group, the unit enabled.
        const passwd = entries(join(root, "etc/passwd"));
        const group = entries(join(root, "etc/group"));
        t.ok(passwd.has("callbackd"), "user callbackd");
        t.equal(passwd.get("callbackd")?.at(-1), "/usr/sbin/nologin");
        t.match(group.get("dialout")?.at(-1), /\bcallbackd\b/, "in dialout (serial console)");
        const gid = Number(group.get("callbackd")?.[0]);
        const config = join(root, "etc/callbackd/config.json");
        t.equal(statSync(join(root, "etc/callbackd")).gid, gid);
        t.equal(statSync(join(root, "etc/callbackd")).mode & 0o777, 0o750);
        t.equal(statSync(config).gid, gid, "the config belongs to the service's group");
        t.equal(statSync(config).mode & 0o777, 0o640);
        const wants = join(root, "etc/systemd/system/multi-user.target.wants/callbackd.service");
        t.ok(lstatSync(wants).isSymbolicLink(), "enabled");
        t.notOk(existsSync("/etc/systemd/system/multi-user.target.wants/callbackd.service"), "this machine untouched");

        // First boot: a callbackd.json on the boot partition, moved by the installed program.
        const boot = join(root, "boot/firmware/callbackd.json");
        mkdirSync(join(root, "boot/firmware"), { recursive: true });
        const mine = JSON.parse(readFileSync(config, "utf8")) as { phones: Record<string, unknown> };
        mine.phones.pushUser = "cbpush";
        mine.phones.pushPassword = "pa55-Word!";
        writeFileSync(boot, `${JSON.stringify(mine, null, 4)}\n`);
        const cli = join(root, "usr/bin/callbackd");
        const moved = await run(cli, ["boot-config", "--from", boot, "--to", config]);
        succeeded(t, moved, "callbackd boot-config");
        t.match(
            moved.stdout,
            /^boot-config: moved .*boot\/firmware\/callbackd\.json to .*etc\/callbackd\/config\.json/,
        );
        t.notOk(existsSync(boot), "gone from the boot partition");
        t.equal(statSync(config).gid, gid, "still the service's group");

        // The installed doctor, on this machine's loopback and a state directory inside the root.
        const state = join(root, "var/lib/callbackd");
        const doctor = await run(cli, ["doctor", "--config", config], {
            env: { ...process.env, CALLBACKD_CAPTURE_INTERFACE: "lo", CALLBACKD_STATE_DIR: state },
        });
        t.equal(doctor.status, 0, doctor.stdout);
        t.match(doctor.stdout, /^OK {3}config: /m);
        t.match(doctor.stdout, /^OK {3}pcap addon: loads$/m, "the package's pcap addon on the package's runtime");
        t.match(
            doctor.stdout,
            /^OK {3}phone push user: pushing as cbpush$/m,
            "the configuration from the boot partition",
        );
        t.match(doctor.stdout, /^0 failed/m);

        // The installed unit, with its paths moved into the root (verify checks that the programs exist).
        const unit = readFileSync(join(root, "lib/systemd/system/callbackd.service"), "utf8");
        t.match(
            unit,
            /^ExecStart=\/usr\/lib\/callbackd\/node\/bin\/node --enable-source-maps \/usr\/lib\/callbackd\/bin\/callbackd run --config \/etc\/callbackd\/config\.json$/m,
        );
        t.match(
            unit,
            /^ExecStartPre=-\+\/usr\/lib\/callbackd\/node\/bin\/node \/usr\/lib\/callbackd\/bin\/callbackd boot-config /m,
        );
        const dir = join(work, "verify");
        mkdirSync(dir, { recursive: true });
        const moved2 = unit
            .replaceAll("/usr/lib/callbackd", join(root, "usr/lib/callbackd"))
            .replaceAll("/etc/callbackd", join(root, "etc/callbackd"));
        writeFileSync(join(dir, "callbackd.service"), moved2);
        const verify = await run("systemd-analyze", ["verify", "--man=no", join(dir, "callbackd.service")]);
        t.equal(verify.status, 0);
        t.equal(`${verify.stdout}${verify.stderr}`.trim(), "", "verify: not a single warning");
        const security = await run("systemd-analyze", [
            "security",
            "--offline=true",
            "--threshold=26",
            join(dir, "callbackd.service"),
        ]);
        const level = /Overall exposure level for callbackd\.service: ([\d.]+)/.exec(security.stdout)?.[1];
        t.equal(security.status, 0, `exposure ${level}`);
        t.ok(level !== undefined && Number(level) <= 2.6, `exposure ${level} <= 2.6`);

        // An upgrade (the same package as the next version) keeps the edited configuration and the state.
        mkdirSync(state, { recursive: true });
        writeFileSync(join(state, "slot-a.bin"), "requests");
        const edited = readFileSync(config, "utf8");
        const raw = join(work, "next");
        succeeded(t, await run("dpkg-deb", ["-R", debs.amd64, raw]), "dpkg-deb -R");
        const control = join(raw, "DEBIAN/control");
        writeFileSync(control, readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${version}.1`));
        const next = join(work, "next.deb");
        const repack = await run("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z1", "-b", raw, next]);
        succeeded(t, repack, "dpkg-deb -b (the next version)");
        const upgrade = await dpkg(root, "-i", next);
        succeeded(t, upgrade, "dpkg -i (upgrade)");
        t.match(upgrade.stdout, `Unpacking callbackd (${version}.1) over (${version})`, "an upgrade");
        t.equal(readFileSync(config, "utf8"), edited, "the configuration is kept");
        t.equal(readFileSync(join(state, "slot-a.bin"), "utf8"), "requests", "the state is kept");
        t.ok(lstatSync(wants).isSymbolicLink(), "still enabled");

        // Remove keeps the configuration (a conffile) and the state; purge removes both, the user stays.
        const remove = await dpkg(root, "-r", "callbackd");
        succeeded(t, remove, "dpkg -r");
        t.notOk(existsSync(join(root, "usr/lib/callbackd/node/bin/node")), "the program is gone");
        t.ok(existsSync(config), "remove keeps the configuration");
        t.ok(existsSync(join(state, "slot-a.bin")), "and the state");
        const purge = await dpkg(root, "-P", "callbackd");
        succeeded(t, purge, "dpkg -P");
        t.notOk(existsSync(join(root, "etc/callbackd")), "purge removes the configuration");
        t.notOk(existsSync(state), "and the state");
        t.notOk(existsSync(wants), "and the enablement");
        t.ok(entries(join(root, "etc/passwd")).has("callbackd"), "the user stays (Debian policy)");
    },
);
