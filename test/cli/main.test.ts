import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { cli } from "./helpers.js";

const sample = join(import.meta.dirname, "../../board/samples/sccp-7912-callmanager41.pcapng");
const bin = join(import.meta.dirname, "../../bin/callbackd");

t.test("help, version, unknown commands and options", async (t) => {
    const help = await cli(["help"]);
    t.equal(help.code, 0);
    t.match(help.out, /callbackd decode <file\|->/);
    t.equal((await cli([])).out, help.out);
    t.match((await cli(["--version"])).out, /^\d+\.\d+\.\d+\n$/);
    const bad = await cli(["frobnicate"]);
    t.equal(bad.code, 2);
    t.match(bad.err, /^callbackd: USAGE: unknown command "frobnicate"/);
    const badOpt = await cli(["decode", "--nope", sample]);
    t.equal(badOpt.code, 2);
    t.match(badOpt.err, /USAGE: .*--nope/);
    t.match((await cli(["decode"])).err, /decode needs a capture file/);
    t.match((await cli(["decode", "a", "b"])).err, /unexpected argument "b"/);
});

t.test("params and config", async (t) => {
    const params = await cli(["params"]);
    t.equal(params.code, 0);
    t.match(params.out, /CTI Connecting Port/);
    const json = JSON.parse((await cli(["params", "--json"])).out) as Array<{ name: string }>;
    t.ok(json.some((p) => p.name === "Audio File Name"));
    const config = JSON.parse((await cli(["config"], { CALLBACKD_CTI_PORT: "2749" })).out) as { cti: { port: number } };
    t.equal(config.cti.port, 2749, "environment override applied");
    t.equal((await cli(["config", "--check"])).out, "configuration is valid\n");
    const secret = await cli(["config"], { CALLBACKD_PHONES_PUSH_PASSWORD: "s3cret-Pa55" });
    t.notMatch(secret.out, /s3cret-Pa55/, "the push password is never printed");
    t.match(secret.out, /"pushPassword": "\[Redacted\]"/);
    const bad = await cli(["config", "--check"], { CALLBACKD_CTI_PORT: "70000" });
    t.equal(bad.code, 1);
    t.match(bad.err, /CONFIG_INVALID: .*cti\.port/);
});

t.test("decode prints one line per record, JSON lines, a summary, and filters", async (t) => {
    const human = await cli(["decode", sample]);
    t.equal(human.code, 0);
    const lines = human.out.trim().split("\n");
    t.ok(lines.length > 10);
    t.match(lines[0], /^\s*0\.000000 10\.102\.10\.209:3892 -> 10\.0\.0\.180:2000 /);

    const json = (await cli(["decode", "--json", sample])).out.trim().split("\n");
    t.equal(json.length, lines.length, "same records in both forms");
    const first = JSON.parse(json[0]!) as Record<string, unknown>;
    t.same(Object.keys(first).filter((k) => ["t", "proto", "src", "dst", "name", "fields"].includes(k)).length, 6);
    t.equal(typeof first.t, "number");

    const summary = await cli(["decode", "--summary", sample]);
    t.match(summary.out, /pcapng, 3152 packets/);
    t.match(summary.out, /gaps 0, resyncs 0/);
    const sj = JSON.parse((await cli(["decode", "--summary", "--json", sample])).out) as {
        capture: { frames: number };
        wire: { tcp: number };
    };
    t.equal(sj.capture.frames, 3152);
    t.equal(sj.wire.tcp, 126);

    const filtered = (
        await cli(["decode", "--json", "--filter", "host=10.0.0.180", "--filter", "port=3892", sample])
    ).out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { src: string; dst: string });
    t.ok(filtered.length > 0);
    t.ok(filtered.every((r) => `${r.src} ${r.dst}`.includes("10.0.0.180:") && `${r.src} ${r.dst}`.includes(":3892")));
    const none = await cli(["decode", "--json", "--filter", "host=192.0.2.1", sample]);
    t.equal(none.out, "");
    const badFilter = await cli(["decode", "--filter", "colour=red", sample]);
    t.equal(badFilter.code, 2);
    t.match(badFilter.err, /USAGE_FILTER/);
});

t.test("decode reports unreadable input with a stable code", async (t) => {
    const missing = await cli(["decode", "/nonexistent/file.pcap"]);
    t.equal(missing.code, 1);
    t.match(missing.err, /^callbackd: CAPTURE_OPEN: /);
    const dir = mkdtempSync(join(tmpdir(), "callbackd-junk-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const junk = join(dir, "junk.pcap");
    writeFileSync(junk, "this is not a capture file at all");
    const format = await cli(["decode", junk]);
    t.equal(format.code, 1);
    t.match(format.err, /^callbackd: CAPTURE_FORMAT: /);
});

t.test("run replays a capture file, and refuses to start without a source", async (t) => {
    const none = await cli(["run"], { CALLBACKD_LOG_LEVEL: "silent" });
    t.equal(none.code, 1);
    t.match(none.err, /CONFIG_NO_SOURCE/);
    const dir = mkdtempSync(join(tmpdir(), "callbackd-state-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const replay = await cli(["run"], {
        CALLBACKD_CAPTURE_FILE: sample,
        CALLBACKD_LOG_LEVEL: "silent",
        CALLBACKD_STATE_DIR: dir,
        CALLBACKD_HTTP_LISTEN: "127.0.0.1:0",
    });
    t.equal(replay.code, 0);
});

t.test("bin/callbackd runs from the checkout (reads stdin with -)", async (t) => {
    const r = spawnSync(bin, ["decode", "--summary", "-"], { input: readFileSync(sample), encoding: "utf8" });
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /^stdin: pcapng, 3152 packets/);
    const head = spawnSync("sh", ["-c", `${bin} decode ${sample} | head -1`], { encoding: "utf8" });
    t.equal(head.status, 0);
    t.equal(head.stderr, "", "a closed pipe ends output quietly");
});
