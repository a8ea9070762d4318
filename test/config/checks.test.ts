/**
 * One validation for every entry point (issue T, items 2, 7 and 9): what `config --check` accepts, `run`
 * accepts; ports out of range, push URLs `run` would refuse, unreadable or endless files are errors with
 * the key named; `loadConfigReport` keeps the operator's other values when one key is bad.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { loadConfig, loadConfigReport, MAX_CONFIG_BYTES } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";
import { PushClient } from "../../src/phone/push.js";

type Problem = { key: string; reason: string };

function problemsOf(fn: () => unknown): { code: string; message: string; problems: Problem[] } {
    try {
        fn();
    } catch (err) {
        if (err instanceof ConfigError) {
            return { code: err.code, message: err.message, problems: (err.details.errors as Problem[]) ?? [] };
        }
        throw err;
    }
    return { code: "none", message: "", problems: [] };
}

t.test("http.listen takes ports 0..65535 only, from the file and the environment", async (t) => {
    for (const ok of ["0.0.0.0:8080", "127.0.0.1:0", "[::]:65535", "host-1.example:1"]) {
        t.equal(loadConfig({ env: {}, overrides: { http: { listen: ok } } }).http.listen, ok, ok);
    }
    for (const bad of ["0.0.0.0:65536", "0.0.0.0:99999", "0.0.0.0:080", "0.0.0.0:", "0.0.0.0"]) {
        const r = problemsOf(() => loadConfig({ env: {}, overrides: { http: { listen: bad } } }));
        t.equal(r.code, "CONFIG_INVALID", bad);
        t.match(r.problems[0], { key: "http.listen", reason: /port 0\.\.65535/ }, bad);
    }
    const env = problemsOf(() => loadConfig({ env: { CALLBACKD_HTTP_LISTEN: "0.0.0.0:70000" } }));
    t.match(env.problems[0], { key: "http.listen", reason: /from CALLBACKD_HTTP_LISTEN/ });
});

t.test("push URLs run refuses are refused by the loader (config --check, doctor)", async (t) => {
    const cases: Array<[string, RegExp]> = [
        ["ftp://{ip}/CGI/Execute", /must be an http/],
        ["http://user:pw@{ip}/CGI/Execute", /must not carry credentials/],
        ["http://{ip}/{nope}", /unknown placeholder \{nope\}/],
        ["not a url {ip}", /not a URL/],
    ];
    for (const [url, why] of cases) {
        const r = problemsOf(() => loadConfig({ env: {}, overrides: { phones: { pushUrl: url } } }));
        t.match(r.problems, [{ key: "phones.pushUrl", reason: why }], url);
        // the same reason the push client gives at start
        t.throws(() => new PushClient({ user: "u", password: "p", urlTemplate: url }), { message: why });
    }
    t.ok(loadConfig({ env: {}, overrides: { phones: { pushUrl: "https://{ip}:8443/CGI/Execute" } } }));
});

t.test("URLs, addresses and keys that need each other", async (t) => {
    const bad: Array<[object, string, RegExp]> = [
        [{ http: { publicUrl: "10.1.1.5:8080" } }, "http.publicUrl", /not a URL|must be an http/],
        [{ http: { publicUrl: "https://box:8443" } }, "http.publicUrl", /must be an http:\/\/ URL/],
        [{ mqtt: { url: "mqtt://" } }, "mqtt.url", /not a URL|names no host/],
        [{ mqtt: { url: "mqtt://broker:99999" } }, "mqtt.url", /not a URL/],
        [{ redundancy: { address: "::::::" } }, "redundancy.address", /not an IP address/],
        [{ redundancy: { enabled: true } }, "redundancy.enabled", /needs a broker/],
    ];
    for (const [overrides, key, why] of bad) {
        const r = problemsOf(() => loadConfig({ env: {}, overrides }));
        t.match(r.problems, [{ key, reason: why }], key);
    }
});

t.test("a bad console password hash says how to make one", async (t) => {
    const r = problemsOf(() => loadConfig({ env: {}, overrides: { console: { passwordHash: "hunter2" } } }));
    t.match(r.problems, [{ key: "console.passwordHash", reason: /callbackd console --hash/ }]);
    t.notMatch(r.message, /hunter2/, "the secret is not echoed");
    t.notMatch(r.message, /\^scrypt/, "no regular expression");
});

t.test("the config file is read bounded: no FIFO, no device, no giant file", async (t) => {
    const dir = t.testdir({ "big.json": "" });
    const zero = problemsOf(() => loadConfig({ file: "/dev/zero", env: {} }));
    t.equal(zero.code, "CONFIG_READ");
    t.match(zero.message, /\/dev\/zero is not a regular file \(a character device\)/);
    const fifo = join(dir, "fifo.json");
    execFileSync("mkfifo", [fifo]);
    const f = problemsOf(() => loadConfig({ file: fifo, env: {} }));
    t.equal(f.code, "CONFIG_READ", "a FIFO neither blocks nor is read");
    t.match(f.message, /not a regular file \(a FIFO\)/);
    const big = join(dir, "big.json");
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    const b = problemsOf(() => loadConfig({ file: big, env: {} }));
    t.equal(b.code, "CONFIG_READ");
    t.match(b.message, /larger than 16777216 bytes/);
});

t.test("loadConfigReport: one bad key is put back to its default, the rest is kept", async (t) => {
    const dir = t.testdir({
        "one-bad.json": JSON.stringify({
            capture: { interface: "lo", sccpPorts: [2000, 70000] },
            cti: { port: 2749 },
            phones: { pushUrl: "ftp://{ip}/", pushUser: "cbpush" },
            log: { modules: { "wire.reassembly": "loud" } },
            bogus: { key: 1 },
        }),
        "not-json.json": "{",
    });
    const r = loadConfigReport({ file: join(dir, "one-bad.json"), env: { CALLBACKD_CTI_HEARTBEAT_INTERVAL_S: "x" } });
    t.equal(r.error?.code, "CONFIG_INVALID");
    t.same(r.problems.map((p) => p.key).sort(), [
        "bogus",
        "capture.sccpPorts[1]",
        "cti.heartbeatIntervalS",
        "log.modules.wire.reassembly",
        "phones.pushUrl",
    ]);
    t.equal(r.config.capture.interface, "lo", "the operator's other values are kept");
    t.equal(r.config.cti.port, 2749);
    t.equal(r.config.phones.pushUser, "cbpush");
    t.same(r.config.capture.sccpPorts, [2000], "the bad key is at its default");
    t.equal(r.config.phones.pushUrl, "http://{ip}/CGI/Execute");
    t.equal(r.config.cti.heartbeatIntervalS, 30, "a bad environment variable is left out");
    t.same(r.config.log.modules, {});
    const p = loadConfigReport({ file: join(dir, "not-json.json"), env: { CALLBACKD_CTI_PORT: "2750" } });
    t.equal(p.error?.code, "CONFIG_PARSE");
    t.equal(p.config.cti.port, 2750, "an unreadable file is left out, the environment still applies");
    t.same(loadConfigReport({ env: {} }).problems, []);
});
