import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { needTool } from "../helpers/tools.js";

const unit = join(import.meta.dirname, "../../systemd/callbackd.service");
const skip = needTool("systemd-analyze", "systemd");

t.test("the unit file verifies without a single warning", { skip }, async (t) => {
    // verify checks that ExecStart's program is executable here: the unit names /usr/bin/node (Debian's
    // nodejs, as on the box); this machine's node may live elsewhere (nvm, /usr/local, a CI toolcache), so the
    // copy verified names the node running this test.
    const text = readFileSync(unit, "utf8");
    t.match(text, /^ExecStart=\/usr\/bin\/node /m);
    const dir = mkdtempSync(join(tmpdir(), "callbackd-unit-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const copy = join(dir, "callbackd.service");
    writeFileSync(copy, text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", copy], { encoding: "utf8" });
    t.equal(r.status, 0);
    // Unknown keys and bad values are only warnings (exit 0): any output at all fails the gate.
    t.equal(`${r.stdout}${r.stderr}`.trim(), "");
});

t.test("the unit's hardening exposure is at most 2.6", { skip }, async (t) => {
    // --threshold is on a 0-100 scale (exposure x 10).
    const r = spawnSync("systemd-analyze", ["security", "--offline=true", "--threshold=26", unit], {
        encoding: "utf8",
    });
    t.equal(r.status, 0, r.stdout.split("\n").at(-2) ?? "");
    const level = /Overall exposure level for callbackd\.service: ([\d.]+)/.exec(r.stdout)?.[1];
    t.ok(level !== undefined && Number(level) <= 2.6, `exposure ${level}`);
});

t.test("the only capability is CAP_NET_RAW, under its own user", async (t) => {
    const text = readFileSync(unit, "utf8");
    t.match(text, /^AmbientCapabilities=CAP_NET_RAW$/m);
    t.match(text, /^CapabilityBoundingSet=CAP_NET_RAW$/m);
    t.match(text, /^User=callbackd$/m);
    t.match(text, /^Type=notify$/m);
    t.match(text, /^WatchdogSec=\d+s$/m);
});

t.test("the first-boot configuration runs privileged before the start and never blocks it", async (t) => {
    const text = (await import("node:fs")).readFileSync(unit, "utf8");
    const pre = /^ExecStartPre=(\S+) (\S+) (\S+) (.*)$/m.exec(text);
    t.ok(pre, "an ExecStartPre");
    t.equal(pre?.[1], "-+/usr/bin/node", "- (failure ignored) and + (root, outside the sandbox)");
    t.match(pre?.[2], /\/bin\/callbackd$/);
    t.equal(pre?.[3], "boot-config");
    t.equal(pre?.[4], "--to /etc/callbackd/config.json");
});
