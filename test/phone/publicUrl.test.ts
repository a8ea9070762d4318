/**
 * http.publicUrl against the phones' URL limit (256 characters, CiscoIPPhone.xsd): refused with
 * CONFIG_PUBLIC_URL_TOO_LONG by `config --check`, `doctor` and at start-up; the limit is computed from the
 * URLs the service really issues.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { diagnose } from "../../src/cli/doctor.js";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";
import { configureLogging } from "../../src/logging/logger.js";
import { loadDictionariesSync } from "../../src/phone/dictionary.js";
import { PhoneHttpService } from "../../src/phone/http.js";
import { checkPublicUrl, longestScreenUrl, XSI_URL_LIMIT } from "../../src/phone/urls.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";

configureLogging({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "callbackd-publicurl-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A base URL of exactly n characters. */
function base(n: number): string {
    const head = "http://10.1.1.5:8080/";
    return head + "p".repeat(n - head.length);
}
/** The longest base that fits: the screen URLs add a fixed tail to it. */
const ROOM = XSI_URL_LIMIT - (longestScreenUrl("http://x").length - "http://x".length);
const FITS = base(ROOM);
const TOO_LONG = base(ROOM + 1);

function sink(): { out: PassThrough; text: () => string } {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => {
        text += b.toString();
    });
    return { out, text: () => text };
}

t.test("the limit: a base whose longest screen URL is 256 characters passes, one more fails", async (t) => {
    t.equal(longestScreenUrl(FITS).length, XSI_URL_LIMIT);
    t.doesNotThrow(() => checkPublicUrl(FITS));
    t.doesNotThrow(() => checkPublicUrl(null));
    const err = t.throws(() => checkPublicUrl(TOO_LONG)) as unknown;
    t.ok(err instanceof ConfigError);
    t.match(err, { code: "CONFIG_PUBLIC_URL_TOO_LONG", details: { limit: 256, maxBaseLength: ROOM } });
    t.match((err as Error).message, /at most 256 \(XSI URL limit\)/);
    t.equal(longestScreenUrl(`${FITS}/`).length, XSI_URL_LIMIT, "a trailing slash is not counted");
});

t.test("the URLs the service issues are never longer than longestScreenUrl", async (t) => {
    const http = new PhoneHttpService({
        host: "127.0.0.1",
        port: 0,
        publicUrl: FITS,
        locales: loadDictionariesSync(),
        defaultLocale: "en_US",
        onAction: async () => ({ kind: "cancelled" }),
    });
    await http.start();
    t.teardown(() => http.stop());
    const { token, url } = http.issue({
        device: "SEP001122334455",
        phoneIp: "127.0.0.1",
        kind: "activated",
        params: { dn: "1002" },
        actions: ["cancel"],
        ref: "cb-1",
    });
    t.ok(url.length <= XSI_URL_LIMIT);
    t.equal(`${FITS}/cb/a/${token}/cancel`.length, XSI_URL_LIMIT, "the Cancel URL is the longest, at the limit");
});

t.test("config --check refuses it with the code and the limit", async (t) => {
    const file = join(dir, "long.json");
    writeFileSync(file, JSON.stringify({ http: { publicUrl: TOO_LONG } }));
    const err = sink();
    const code = await main(["config", "--check", "--config", file], { out: new PassThrough(), err: err.out, env: {} });
    t.equal(code, 1);
    t.match(err.text(), /CONFIG_PUBLIC_URL_TOO_LONG: .*256/);
    const ok = join(dir, "ok.json");
    writeFileSync(ok, JSON.stringify({ http: { publicUrl: FITS } }));
    const out = sink();
    t.equal(await main(["config", "--check", "--config", ok], { out: out.out, err: new PassThrough(), env: {} }), 0);
    t.match(out.text(), /configuration is valid/);
});

t.test("doctor fails the phone screen URLs check", async (t) => {
    const file = join(dir, "doctor.json");
    writeFileSync(file, JSON.stringify({ http: { publicUrl: TOO_LONG }, state: { dir } }));
    const results = await diagnose({ file, env: {}, out: new PassThrough(), probes: { ntpSynchronized: () => "yes" } });
    const r = results.find((x) => x.name === "phone screen URLs");
    t.match(r, { status: "FAIL", detail: /CONFIG_PUBLIC_URL_TOO_LONG/ });
    t.match(
        results.find((x) => x.name === "config"),
        { status: "OK" },
        "the rest of the file is valid",
    );
});

t.test("start-up refuses it (the service and `callbackd run`)", async (t) => {
    const config = loadConfig({ env: {}, overrides: { http: { listen: "127.0.0.1:0", publicUrl: TOO_LONG } } });
    t.throws(() => new CallbackService({ config, fs: new MemoryFlashFs() }), { code: "CONFIG_PUBLIC_URL_TOO_LONG" });
    const file = join(dir, "run.json");
    writeFileSync(
        file,
        JSON.stringify({
            http: { listen: "127.0.0.1:0", publicUrl: TOO_LONG },
            capture: { file: join(dir, "none.pcap") },
            state: { dir: join(dir, "state") },
            log: { level: "silent" },
        }),
    );
    const err = sink();
    const code = await main(["run", "--config", file], { out: new PassThrough(), err: err.out, env: {} });
    t.equal(code, 1);
    t.match(err.text(), /CONFIG_PUBLIC_URL_TOO_LONG/);
});
