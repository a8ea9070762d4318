/**
 * scripts/release and scripts/install end to end: a real release tarball (production node_modules from the
 * npm cache, the existing dist/) installed twice into a temporary root, the installed unit verified, the
 * installed program run, and the board profiles validated.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
    existsSync,
    lstatSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import { needTool } from "../helpers/tools.js";

const repo = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "callbackd-release-"));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
const tarball = join(work, "out", `callbackd-${version}-linux-${process.arch}.tar.gz`);
const built = existsSync(join(repo, "dist/cli/main.js"));
const skip = built ? false : "needs dist/: run npm run build";

/**
 * Runs a command in the checkout. npm runs no install scripts here: the release's `npm ci --omit=dev` would
 * otherwise compile the native addons (pcap, unix-dgram) from source, a minute of CPU on a small machine,
 * and nothing below runs them (the installed program is checked with `config --check`).
 */
function run(cmd: string, args: string[]) {
    return spawnSync(cmd, args, {
        encoding: "utf8",
        cwd: repo,
        env: { ...process.env, TMPDIR: work, npm_config_ignore_scripts: "true" },
    });
}

/** Path → type, mode, size, mtime and content hash of every entry under `dir` (what "changes nothing" means). */
function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string): void => {
        for (const name of readdirSync(d)) {
            const p = join(d, name);
            const s = lstatSync(p);
            const key = relative(dir, p);
            if (s.isDirectory()) {
                out[key] = `d ${s.mode.toString(8)}`;
                walk(p);
            } else if (s.isSymbolicLink()) out[key] = `l ${s.mtimeMs}`;
            else {
                // Any rewrite moves the mtime; hashing the thousands of node_modules files is not needed.
                const hash = key.startsWith("opt/") ? "" : createHash("sha256").update(readFileSync(p)).digest("hex");
                out[key] = `f ${s.mode.toString(8)} ${s.size} ${s.mtimeMs} ${hash}`;
            }
        }
    };
    walk(dir);
    return out;
}

const io = () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => {
        text += b.toString();
    });
    return { io: { out, err: new PassThrough(), env: {} }, text: () => text };
};

t.test("every board profile's config.json validates", async (t) => {
    for (const board of ["rpi4", "rpi5", "x86"]) {
        const o = io();
        const file = join(repo, "board", board, "config.json");
        t.equal(await main(["config", "--check", "--config", file], o.io), 0, board);
        t.equal(o.text(), "configuration is valid\n");
    }
    t.match(readFileSync(join(repo, "board/rpi4/config.txt"), "utf8"), /^enable_uart=1$/m);
    t.match(readFileSync(join(repo, "board/rpi5/cmdline.txt"), "utf8"), /^overlayroot=tmpfs:recurse=0$/m);
    t.match(readFileSync(join(repo, "board/rpi4/fstab"), "utf8"), /\s\/var\/lib\/callbackd\s+ext4\s+\S*noatime/);
    t.match(readFileSync(join(repo, "board/rpi5/README.md"), "utf8"), /\/dev\/serial0.*\n.*115200/);
});

t.test("release: a versioned tarball with checksums", { skip }, async (t) => {
    // --skip-build: the test suite must not rebuild dist/ under the other tests' feet.
    const r = run(join(repo, "scripts/release"), ["--skip-build", "--out", join(work, "out")]);
    t.equal(r.status, 0, r.stderr);
    t.ok(existsSync(tarball), "tarball written");
    const sums = readFileSync(join(work, "out/SHA256SUMS"), "utf8");
    t.match(sums, new RegExp(`^[0-9a-f]{64}  callbackd-${version}-linux-${process.arch}\\.tar\\.gz$`, "m"));
    const list = run("tar", ["-tzf", tarball]).stdout.split("\n");
    const top = `callbackd-${version}-linux-${process.arch}/`;
    for (const f of [
        "bin/callbackd",
        "dist/cli/main.js",
        "node_modules/pino/package.json",
        "systemd/callbackd.service",
        "systemd/callbackd.sysusers.conf",
        "board/rpi4/config.json",
        "board/rpi5/config.txt",
        "board/x86/config.json",
        "board/CallBack.raw",
        "docs/OPERATIONS.md",
        "scripts/install",
        "SHA256SUMS",
        "VERSION",
    ]) {
        t.ok(list.includes(top + f), f);
    }
    t.notOk(
        list.some((f) => f.includes("node_modules/typescript/") || f.includes("node_modules/tap/")),
        "no dev dependencies",
    );
});

t.test("install into a temporary root, twice: the same tree, a verified unit", { skip }, async (t) => {
    t.ok(existsSync(tarball), "the release test made the tarball");
    const root = join(work, "root");
    const install = (...extra: string[]) => run(join(repo, "scripts/install"), ["--root", root, ...extra, tarball]);
    const first = install();
    t.equal(first.status, 0, first.stderr);
    t.match(first.stdout, /release .* installed in/);
    t.match(first.stdout, /wrote \/etc\/callbackd\/config\.json \(board x86\)/);
    const unit = join(root, "etc/systemd/system/callbackd.service");
    for (const f of [
        unit,
        join(root, "etc/sysusers.d/callbackd.conf"),
        join(root, "etc/tmpfiles.d/callbackd.conf"),
        join(root, "opt/callbackd/bin/callbackd"),
        join(root, "opt/callbackd/node_modules/ajv/package.json"),
    ]) {
        t.ok(existsSync(f), relative(root, f));
    }
    t.equal(statSync(join(root, "etc/callbackd/config.json")).mode & 0o777, 0o640);
    t.ok(
        lstatSync(join(root, "etc/systemd/system/multi-user.target.wants/callbackd.service")).isSymbolicLink(),
        "enabled offline",
    );

    // The administrator edits the configuration; a second install keeps it and changes nothing at all.
    const config = join(root, "etc/callbackd/config.json");
    const edited = readFileSync(config, "utf8").replace('"pushUser": null', '"pushUser": "cbpush"');
    writeFileSync(config, edited);
    const before = snapshot(root);
    const second = install();
    t.equal(second.status, 0, second.stderr);
    t.match(second.stdout, /already in/);
    t.match(second.stdout, /kept \/etc\/callbackd\/config\.json/);
    t.same(snapshot(root), before, "the second run changed nothing");

    // The installed program runs from the tree, with its production node_modules.
    const cli = run(process.execPath, [
        join(root, "opt/callbackd/bin/callbackd"),
        "config",
        "--check",
        "--config",
        config,
    ]);
    t.equal(cli.status, 0, cli.stderr);
    t.equal(cli.stdout, "configuration is valid\n");

    // systemd-analyze verify checks that ExecStart= is executable on this host and reads units from its
    // own unit path; --root would need the whole systemd unit tree and a node binary inside the temp root.
    // So the installed unit is verified with its /opt/callbackd and /etc/callbackd paths rewritten into
    // the temp root, and its /usr/bin/node (where Debian's nodejs puts it, as on the box) rewritten to the
    // node running this test, wherever it is installed (nvm, /usr/local, a CI toolcache).
    const shipped = readFileSync(unit, "utf8");
    const exec = /^ExecStart=(\S+) .*? (\S+\/bin\/callbackd) run --config (\S+)$/m.exec(shipped);
    t.ok(exec, "ExecStart runs bin/callbackd with the config");
    t.equal(exec?.[1], "/usr/bin/node", "the unit runs the node of the nodejs package");
    const rewritten = shipped
        .replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `)
        .replaceAll("/opt/callbackd", join(root, "opt/callbackd"))
        .replaceAll("/etc/callbackd", join(root, "etc/callbackd"));
    const paths = /^ExecStart=(\S+) .*? (\S+\/bin\/callbackd) run --config (\S+)$/m.exec(rewritten);
    t.ok(existsSync(paths?.[2] ?? ""), "the ExecStart script exists in the root");
    t.ok(existsSync(paths?.[3] ?? ""), "the ExecStart config exists in the root");
    await t.test("systemd-analyze verify", { skip: needTool("systemd-analyze", "systemd") }, async (t) => {
        const dir = join(work, "verify");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "callbackd.service"), rewritten);
        const v = run("systemd-analyze", ["verify", "--man=no", join(dir, "callbackd.service")]);
        t.equal(v.status, 0);
        t.equal(`${v.stdout}${v.stderr}`.trim(), "", "no warning at all");
    });
});

t.test("install options: board, unit directory, errors", { skip }, async (t) => {
    // A release without node_modules is enough here (and much faster to pack and unpack).
    const small = run(join(repo, "scripts/release"), [
        "--skip-build",
        "--skip-node-modules",
        "--out",
        join(work, "small"),
    ]);
    t.equal(small.status, 0, small.stderr);
    const tarball = join(work, "small", `callbackd-${version}-linux-${process.arch}.tar.gz`);
    const root = join(work, "root2");
    const r = run(join(repo, "scripts/install"), [
        "--root",
        root,
        "--board",
        "rpi5",
        "--unit-dir",
        "usr",
        "--no-enable",
        tarball,
    ]);
    t.equal(r.status, 0, r.stderr);
    t.ok(existsSync(join(root, "usr/lib/systemd/system/callbackd.service")));
    t.ok(existsSync(join(root, "usr/lib/sysusers.d/callbackd.conf")));
    t.notOk(existsSync(join(root, "usr/lib/systemd/system/multi-user.target.wants")));
    t.same(
        JSON.parse(readFileSync(join(root, "etc/callbackd/config.json"), "utf8")),
        JSON.parse(readFileSync(join(repo, "board/rpi5/config.json"), "utf8")),
    );
    t.equal(run(join(repo, "scripts/install"), ["--root", root]).status, 2, "no tarball");
    t.equal(run(join(repo, "scripts/install"), ["--root", root, "--board", "vax", tarball]).status, 2);
    t.equal(run(join(repo, "scripts/install"), ["--root", root, "--unit-dir", "x", tarball]).status, 2);
    const notRelease = join(work, "x.tar.gz");
    run("tar", ["-czf", notRelease, "-C", repo, "package.json"]);
    t.equal(run(join(repo, "scripts/install"), ["--root", root, notRelease]).status, 1);
});

t.test("release --arch: only arm64 and x64, and the changelog names this version", async (t) => {
    const r = run(join(repo, "scripts/release"), ["--skip-build", "--arch", "arm64,sparc", "--out", join(work, "x")]);
    t.equal(r.status, 2);
    t.match(r.stderr, /--arch is arm64 or x64, not sparc/);
    // The Debian changelog's newest entry is the version being packaged (scripts/release checks it too).
    const changelog = readFileSync(join(repo, "packaging/deb/changelog"), "utf8");
    t.match(changelog.split("\n")[0], new RegExp(`^callbackd \\(${version.replace(/\./g, "\\.")}\\) `));
    // The runtime pin: Node.js 20 (the supported major) for both architectures, with an integrity each.
    const pin = JSON.parse(readFileSync(join(repo, "packaging/node-runtime.json"), "utf8")) as {
        version: string;
        packages: Record<string, { name: string; integrity: string }>;
    };
    t.match(pin.version, /^20\.\d+\.\d+$/);
    t.same(Object.keys(pin.packages).sort(), ["arm64", "x64"]);
    for (const [arch, p] of Object.entries(pin.packages)) {
        t.equal(p.name, `node-linux-${arch}`);
        t.match(p.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
    }
});
