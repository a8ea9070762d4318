/**
 * The first-boot configuration from the boot partition, on real files in a temporary tree laid out like a
 * Pi's: boot/firmware/callbackd.json, boot/callbackd.json and etc/callbackd/config.json.
 */
import {
    chmodSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import { describeBootConfig, importBootConfig } from "../../src/system/bootConfig.js";

const top = mkdtempSync(join(tmpdir(), "callbackd-bootconfig-"));
t.teardown(() => rmSync(top, { recursive: true, force: true }));
let n = 0;

/** A fresh tree; `config` is the current configuration (absent when null). */
function tree(config: string | null = '{"capture": {"interface": "eth0"}}\n') {
    const root = join(top, `t${n++}`);
    const firmware = join(root, "boot/firmware/callbackd.json");
    const boot = join(root, "boot/callbackd.json");
    const to = join(root, "etc/callbackd/config.json");
    mkdirSync(join(root, "boot/firmware"), { recursive: true });
    mkdirSync(join(root, "etc/callbackd"), { recursive: true, mode: 0o750 });
    if (config !== null) {
        writeFileSync(to, config);
        chmodSync(to, 0o640);
    }
    return { root, firmware, boot, to, from: [firmware, boot], chown: false };
}

const valid = JSON.stringify({
    capture: { interface: "eth1" },
    phones: { pushUser: "cbpush", pushPassword: "s3cret-pw" },
});

t.test("no file on the boot partition: nothing happens, nothing is logged", async (t) => {
    const x = tree();
    const before = readFileSync(x.to, "utf8");
    const o = importBootConfig(x);
    t.same(o, { kind: "none" });
    t.same(describeBootConfig(o), []);
    t.equal(readFileSync(x.to, "utf8"), before);
    t.notOk(existsSync(`${x.to}.bak`));
});

t.test("a valid file is moved into place, the old configuration kept as .bak, the move logged", async (t) => {
    const x = tree();
    const old = readFileSync(x.to, "utf8");
    writeFileSync(x.firmware, valid);
    const o = importBootConfig(x);
    t.same(o, { kind: "moved", from: x.firmware, to: x.to, backup: `${x.to}.bak`, removed: true });
    t.equal(readFileSync(x.to, "utf8"), valid, "the configuration is the boot file");
    t.equal(statSync(x.to).mode & 0o777, 0o640, "the old file's mode");
    t.equal(readFileSync(`${x.to}.bak`, "utf8"), old, "the replaced configuration");
    t.notOk(existsSync(x.firmware), "removed from the boot partition");
    t.same(
        readdirSync(join(x.root, "etc/callbackd")).sort(),
        ["config.json", "config.json.bak"],
        "no temporary file left",
    );
    const lines = describeBootConfig(o);
    t.equal(lines.length, 1);
    t.equal(lines[0]?.priority, 5);
    t.equal(lines[0]?.text, `moved ${x.firmware} to ${x.to} (the previous configuration is in ${x.to}.bak)`);
    t.notMatch(JSON.stringify(lines), /s3cret-pw/, "no secret in the log");
});

t.test("the first configuration: 0640, no backup; /boot is used when /boot/firmware has none", async (t) => {
    const x = tree(null);
    writeFileSync(x.boot, valid);
    const o = importBootConfig(x);
    t.same(o, { kind: "moved", from: x.boot, to: x.to, backup: null, removed: true });
    t.equal(statSync(x.to).mode & 0o777, 0o640);
    t.notOk(existsSync(`${x.to}.bak`));
    t.equal(describeBootConfig(o)[0]?.text, `moved ${x.boot} to ${x.to}`);
});

t.test("/boot/firmware wins over /boot", async (t) => {
    const x = tree();
    writeFileSync(x.firmware, valid);
    writeFileSync(x.boot, "{}");
    const o = importBootConfig(x);
    t.equal(o.kind, "moved");
    t.equal(readFileSync(x.to, "utf8"), valid);
    t.ok(existsSync(x.boot), "the other one is left alone");
});

t.test("invalid files are not moved; the error names the file and the key, never a secret", async (t) => {
    const cases: Array<[string, string, RegExp]> = [
        ["not JSON", '{"capture": {"interface": "eth1",}}', /CONFIG_PARSE: .*callbackd\.json:1:/],
        ["unknown key", '{"captur": {}}', /CONFIG_INVALID: .*captur/],
        ["wrong type", '{"phones": {"pushPassword": 12345678}}', /CONFIG_INVALID: .*phones\.pushPassword/],
        ["not an object", "[]", /CONFIG_INVALID/],
        ["empty", "", /CONFIG_PARSE/],
    ];
    for (const [what, body, error] of cases) {
        const x = tree();
        const before = readFileSync(x.to, "utf8");
        writeFileSync(x.firmware, body);
        const o = importBootConfig(x);
        t.equal(o.kind, "invalid", what);
        t.equal(readFileSync(x.to, "utf8"), before, `${what}: configuration untouched`);
        t.equal(readFileSync(x.firmware, "utf8"), body, `${what}: left on the boot partition`);
        t.notOk(existsSync(`${x.to}.bak`));
        const [line, ...more] = describeBootConfig(o);
        t.equal(more.length, 0);
        t.equal(line?.priority, 3, `${what}: logged as an error`);
        t.match(line?.text, error, what);
        t.match(line?.text, /was not applied .*starting with the current configuration/);
        t.notMatch(line?.text, /12345678/, "the bad value of a secret is not shown");
    }
});

t.test("the environment of the helper does not make an invalid file valid", async (t) => {
    const x = tree();
    writeFileSync(x.firmware, '{"capture": {"interface": 5}}');
    process.env.CALLBACKD_CAPTURE_INTERFACE = "eth0";
    t.teardown(() => {
        delete process.env.CALLBACKD_CAPTURE_INTERFACE;
    });
    t.equal(importBootConfig(x).kind, "invalid");
});

t.test("a start interrupted after the rename: the same file is only removed", async (t) => {
    const x = tree(valid);
    writeFileSync(x.firmware, valid);
    const o = importBootConfig(x);
    t.same(o, { kind: "already", from: x.firmware, to: x.to, removed: true });
    t.notOk(existsSync(`${x.to}.bak`), "no backup of an identical file");
    t.notOk(existsSync(x.firmware));
    t.match(describeBootConfig(o)[0]?.text, /is already .*removed from the boot partition/);
});

t.test("a valid file that cannot be written leaves everything as it was", async (t) => {
    const x = tree();
    writeFileSync(x.firmware, valid);
    const o = importBootConfig({ ...x, to: join(x.root, "etc/missing/config.json") });
    t.equal(o.kind, "failed");
    t.ok(existsSync(x.firmware), "still on the boot partition");
    t.match(describeBootConfig(o)[0]?.text, /is valid but could not be written .*ENOENT/);
    t.equal(describeBootConfig(o)[0]?.priority, 3);
});

t.test("a boot partition that cannot be written: moved, and the leftover reported", async (t) => {
    const x = tree();
    writeFileSync(x.firmware, valid);
    // Root ignores directory modes, so the read-only FAT partition is imitated by the remover.
    const o = importBootConfig({
        ...x,
        remove: () => {
            throw Object.assign(new Error("EROFS: read-only file system, unlink"), { code: "EROFS" });
        },
    });
    t.equal(o.kind, "moved");
    t.equal(readFileSync(x.to, "utf8"), valid);
    const lines = describeBootConfig(o);
    t.equal(lines[1]?.priority, 4);
    t.match(lines[1]?.text, /could not remove .*callbackd\.json .*delete it/);
});

t.test("the command: journal priorities, exit codes", async (t) => {
    const run = async (x: ReturnType<typeof tree>, env: NodeJS.ProcessEnv) => {
        const out = new PassThrough();
        const err = new PassThrough();
        let o = "";
        let e = "";
        out.on("data", (b: Buffer) => {
            o += b.toString();
        });
        err.on("data", (b: Buffer) => {
            e += b.toString();
        });
        const code = await main(["boot-config", "--from", x.firmware, "--from", x.boot, "--to", x.to], {
            out,
            err,
            env,
        });
        return { code, out: o, err: e };
    };
    const a = tree();
    t.same(await run(a, {}), { code: 0, out: "", err: "" }, "nothing to do, nothing said");
    writeFileSync(a.firmware, valid);
    const moved = await run(a, { JOURNAL_STREAM: "8:1234" });
    t.equal(moved.code, 0);
    t.match(moved.out, /^<5>boot-config: moved .*callbackd\.json to .*config\.json/);
    const b = tree();
    writeFileSync(b.boot, "{");
    const bad = await run(b, {});
    t.equal(bad.code, 1, "an invalid file is a failure of the command (the unit ignores it)");
    t.match(bad.err, /^boot-config: .* is not a valid configuration/);
    t.equal(
        await main(["boot-config", "--to"], { out: new PassThrough(), err: new PassThrough(), env: {} }),
        2,
        "usage",
    );
});
