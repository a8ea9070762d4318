/**
 * Every console command over the loopback TCP transport, against a Call Back service fed by the simulated
 * branch office; debug lines; secrets never printed; the loopback-only rule; the stdio transport.
 */
import { PassThrough } from "node:stream";
import t from "tap";
import { hashPassword } from "../../src/console/config.js";
import { ConsoleError, type Consoles, isLoopback, startConsoles, TelnetFilter } from "../../src/console/index.js";
import { levels, resetLevel, setLevel } from "../../src/logging/logger.js";
import type { AlarmInstance } from "../../src/mgmt/alarmManager.js";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { type Office, PUSH_PASSWORD, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";
import { waitFor } from "../helpers/wait.js";
import { login, Terminal } from "./helpers.js";

/** The office's XSI phones validate every object they get with xmllint. */
const skip = needTool("xmllint", "libxml2-utils");
const HASH = hashPassword("pw", 1024);
const BROKER_PASSWORD = "br0ker-S3cret";
const URL_PASSWORD = "url-pa55";

t.test("every command against the office", { skip }, async (t) => {
    const o: Office = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {
        mqtt: { url: `mqtt://cbk:${URL_PASSWORD}@127.0.0.1:1883`, username: "cbk", password: BROKER_PASSWORD },
    });
    t.teardown(() => o.stop());
    const control = new ConfigControl({ boot: o.service.config, apply: () => {} });
    const cleared: string[] = [];
    const alarm: AlarmInstance = {
        id: "phone.push-unreachable",
        key: "phone.push-unreachable/SEP0001",
        resource: "SEP0001",
        fingerprint: "x",
        severity: "major",
        syslog: 3,
        text: "Phone did not answer the push",
        action: "Check the phone",
        cause: "timeout",
        labels: {},
        count: 2,
        firstRaised: Date.now(),
        lastChanged: Date.now(),
        flapping: false,
    };
    let reloads = 0;
    const consoles: Consoles = await startConsoles(o.service, {
        device: null,
        tcpPort: 0,
        passwordHash: HASH,
        providers: {
            version: "1.2.3",
            hostname: "cb",
            alarms: { active: () => (cleared.length > 0 ? [] : [alarm]), clear: (id) => void cleared.push(id) },
            mqtt: {
                connected: true,
                status: () => ({ site: "s", node: "n", password: BROKER_PASSWORD, alarms: { active: 1 } }),
            },
            configControl: control,
            capture: () => ({ interface: "eth1", filter: "tcp port 2000", packets: 1234, drops: 5, ifDrops: 1 }),
            reload: () => {
                reloads++;
            },
            logLines: (n) => [`last ${n} lines`],
            logLevels: false,
        },
    });
    t.teardown(() => consoles.close());
    t.type(consoles.tcpPort, "number");
    // Events reach the console hub as they would from CallbackServiceOptions.onEvent.
    let fed = 0;
    const feeder = setInterval(() => {
        while (fed < o.seen.length) consoles.hub.onEvent(o.seen[fed++]!);
    }, 5);
    t.teardown(() => clearInterval(feeder));

    const term = await Terminal.tcp(consoles.tcpPort!);
    t.teardown(() => term.close());
    await login(term);
    const everything: string[] = [];
    const run = async (line: string) => {
        const out = await term.run(line);
        everything.push(out);
        return out;
    };

    // A call-back request through the phones, with debug on for callback events.
    t.match(await run("debug callback"), /callback debugging is on/);
    await o.until(() => o.service.model.stats().devices === 3, "the phones");
    const caller = o.service.model.allDevices().find((d) => d.lines.some((l) => l.dn === "1003"))!;
    t.match(
        await run(`debug sccp device ${caller.name}`),
        new RegExp(`sccp debugging is on for device ${caller.name}`),
    );
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.service.state.requests.some((r) => r.phase !== "pending"), "the request");
    const trace = await term.expect(/CALLBACK RequestChanged[^\r]*\r\ncb>$/);
    t.match(trace, /\S+ CALLBACK RequestChanged id=cb-\d+/, "debug lines arrive on the console");
    t.ok(trace.includes("\r\x1b[K"), "printed above the input line");
    t.match(await run("undebug all"), /All possible debugging has been turned off/);

    t.match(await run("show version"), /callbackd version 1\.2\.3[\s\S]*Hostname cb/);
    t.match(
        await run("show status"),
        /Call-back requests : 1[\s\S]*Phones {13}: 3 \(3 registered\)[\s\S]*MQTT {15}: connected/,
    );
    t.match(await run("show phones"), /3 of 3 phones/);
    t.match(
        await run("show cluster knowledge"),
        /Learned at registration {5}: 3[\s\S]*Unlearned \(with traffic\) {4}: 0/,
    );
    t.match(await run("sh ph 1003"), /1 of 3 phones/);
    const phone = await run(`show phone ${caller.name}`);
    t.match(phone, /Line 1: 1003/);
    t.match(phone, /Call-back cb-\d+ to 1002: waiting/);
    t.match(await run("show phone SEPNOPE"), /% No phone SEPNOPE/);
    t.match(await run("show lines"), /1002\s+busy\s+1\s+1/);
    t.match(await run("show calls"), /SEP\S+\s+1\s+\d+\s+Busy\s+outbound\s+1003\s+1002[\s\S]*3 calls/);
    t.match(await run("show callbacks"), /1003\s+1002\s+busy\s+waiting/);
    t.match(await run("show alarms"), /major\s+phone\.push-unreachable\/SEP0001/);
    t.match(await run("show alarms history"), /No alarm history/);
    consoles.hub.onAlarm("flash.write-rate", "raise", "too many writes");
    t.match(await run("show alarms history"), /RAISED {2}flash\.write-rate too many writes/);
    t.match(await run("show parameters"), /cti\.port\s+2748\s+port\s+2748\s+restart/);
    const cap = await run("show capture");
    t.match(cap, /Interface {3}: eth1[\s\S]*Packets {5}: 1234[\s\S]*Drops {7}: 5 \(interface 1\)[\s\S]*Wire counters/);
    t.match(await run("show cti"), /CTI status: unknown/);
    const mqtt = await run("show mqtt");
    t.match(mqtt, /Broker {6}: mqtt:\/\/127\.0\.0\.1:1883[\s\S]*password set[\s\S]*Connected {3}: yes/);
    t.match(await run("show redundancy"), /CallManager\s+Primary\s+Standby/);
    t.match(await run("show flash"), /Generation {2}: \d+[\s\S]*writer\.writes/);
    t.match(await run("show log"), /last 20 lines/);
    t.match(await run("show log 5"), /last 5 lines/);
    t.match(await run("show log x"), /% Count must be a positive number/);
    t.match(await run("snapshot now"), /Snapshot written, generation \d+/);

    // Mutating commands need enable.
    t.match(await run("set parameter callback.guardTimeMs 5000"), /% Privileged command/);
    await term.send("enable\r");
    await term.expect(/Password: $/);
    await term.send("pw\r");
    await term.expect(/cb#$/);
    t.match(
        await run("set parameter callback.guardTimeMs 5000"),
        /callback\.guardTimeMs: 3000 -> 5000 \(in effect now; write memory keeps it after a restart\)$/m,
    );
    t.match(await run("set parameter callback.guardTimeMs 5000"), /already 5000/);
    t.match(await run("set parameter cti.port 2749"), /takes effect after a restart/);
    t.match(await run("show parameters"), /cti\.port\s+2749 \(after restart\)/);
    t.match(await run("set parameter cti.port 99999"), /^% .*cti\.port/m, "validated");
    t.match(
        await run("set parameter cti.port abc"),
        /% invalid configuration: cti\.port: must be integer \(got "abc"\)/,
    );
    t.match(
        await run("set parameter callback.noAnswerRequiresUse maybe"),
        /callback\.noAnswerRequiresUse: must be boolean/,
    );
    t.match(await run("set parameter callback.noAnswerRequiresUse false"), /true -> false/);
    t.match(await run("set parameter nope.nope 1"), /% nope\.nope: unknown key/);
    t.match(await run("test push SEPNOPE"), /% No phone SEPNOPE/);
    const pushed = await run(`test push ${caller.name}`);
    t.match(pushed, /Push to \S+ \(\S+\): ok/);
    await o.until(() => o.screenTexts("1003").some((s) => s.startsWith("Call Back is not active")), "the test screen");
    t.match(await run("clear callback cb-999"), /% No call-back cb-999/);
    const id = o.service.state.requests[0]!.id;
    t.match(await run(`clear callback ${id}`), new RegExp(`Call-back ${id} cancelled`));
    await o.until(() => o.service.state.requests.length === 0, "the request to go");
    t.match(await run("clear alarms"), /1 alarms cleared/);
    t.same(cleared, ["phone.push-unreachable"]);
    t.match(await run("show alarms"), /No active alarms/);
    t.match(await run("reload"), /Reloading/);
    t.equal(reloads, 1);

    // Secrets never reach the console.
    const all = everything.join("\n");
    for (const secret of [PUSH_PASSWORD, BROKER_PASSWORD, URL_PASSWORD, "pw\r"]) {
        t.notOk(all.includes(secret), `${JSON.stringify(secret)} never printed`);
    }
    await term.send("exit\r");
    await waitFor(() => term.ended, "exit to close the TCP session");
    t.ok(term.ended, "exit closes the TCP session");
});

t.test("without providers: the service's own view", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }]);
    t.teardown(() => o.stop());
    const consoles = await startConsoles(o.service, { device: null, tcpPort: 0, passwordHash: HASH });
    t.teardown(() => consoles.close());
    let fed = 0;
    const feeder = setInterval(() => {
        while (fed < o.seen.length) consoles.hub.onEvent(o.seen[fed++]!);
    }, 5);
    t.teardown(() => clearInterval(feeder));
    await o.until(() => o.service.model.stats().devices === 2, "the phones");
    await new Promise((r) => setTimeout(r, 20));
    const term = await Terminal.tcp(consoles.tcpPort!, "127.0.0.1");
    t.teardown(() => term.close());
    await login(term, true);
    t.match(await term.run("show alarms"), /No active alarms/);
    t.match(await term.run("show mqtt"), /Broker {6}: \(none\)[\s\S]*Management plane not running/);
    t.match(await term.run("show capture"), /no live capture statistics/);
    t.match(await term.run("show log 3"), /SCCP DeviceRegistered|SCCP/);
    t.match(await term.run("show status"), /MQTT {15}: not configured/);
    t.match(await term.run("set parameter cti.port 1"), /not available on this console/);
    t.match(await term.run("clear alarms"), /cleared by their condition/);
    t.match(await term.run("reload"), /not available/);
    t.match(await term.run("show redundancy"), /CallManager/);
    setLevel("qbe", "warn");
    t.teardown(() => resetLevel("qbe"));
    t.match(await term.run("debug all"), /sccp debugging is on[\s\S]*xsi debugging is on/);
    const level = (ns: string) => levels().find((l) => l.namespace === ns);
    t.match(level("qbe"), { level: "debug", explicit: true }, "debug raises the log namespace");
    t.match(await term.run("undebug sccp"), /sccp debugging is off/);
    t.match(await term.run("undebug all"), /turned off/);
    t.match(level("qbe"), { level: "warn", explicit: true }, "undebug restores the configured level");
    t.notOk(level("sccp")?.explicit, "an inherited level is inherited again");
    t.match(await term.run("terminal length 9999"), /% Length must be/);
    t.match(await term.run("disable"), /callbackd>$/);
    t.match(await term.run("show version"), /callbackd version unknown/);
});

t.test("the TCP console refuses non-loopback binds; loopback detection; telnet filter", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }]);
    t.teardown(() => o.stop());
    await t.rejects(startConsoles(o.service, { device: null, tcpHost: "0.0.0.0", tcpPort: 0 }), ConsoleError);
    await t.rejects(startConsoles(o.service, { device: null, tcpHost: "192.168.1.10", tcpPort: 0 }), {
        code: "CONSOLE_NOT_LOOPBACK",
    });
    t.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.0.0.5") && isLoopback("localhost"));
    t.notOk(isLoopback("10.0.0.1") || isLoopback("::") || isLoopback(""));
    const one = await startConsoles(o.service, { device: null, tcpPort: 0 });
    t.teardown(() => one.close());
    await t.rejects(startConsoles(o.service, { device: null, tcpPort: one.tcpPort }), { code: "CONSOLE_LISTEN" });
    const f = new TelnetFilter();
    t.same(
        [
            ...f.filter(
                Buffer.from([
                    0x61, 0xff, 0xfb, 0x01, 0x62, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0xff, 0xff, 0xff, 0xf1, 0x63,
                ]),
            ),
        ],
        [0x61, 0x62, 0xff, 0x63],
    );
    t.same([...f.filter(Buffer.from("plain"))], [...Buffer.from("plain")]);
});

t.test("stdio transport and a serial device that is not there", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }]);
    t.teardown(() => o.stop());
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (b: Buffer) => {
        text += b.toString();
    });
    let ended = false;
    let opens = 0;
    const consoles = await startConsoles(o.service, {
        tcpPort: null,
        passwordHash: HASH,
        stdio: { input, output, onEnd: () => (ended = true) },
        device: "/dev/does-not-exist",
        serialRetryMs: 20,
        openSerial: async () => {
            opens++;
            throw new Error("ENOENT");
        },
    });
    t.teardown(() => consoles.close());
    await t.rejects(consoles.serialReady!, /ENOENT/);
    const wait = (re: RegExp) => waitFor(() => re.test(text), `${re} in ${JSON.stringify(text)}`);
    await wait(/Password: $/);
    input.write("pw\r");
    await wait(/callbackd>$/);
    input.write("show version\r");
    await wait(/callbackd version/);
    input.write("logout\r");
    await wait(/\r\n$/);
    await waitFor(() => ended, "the stdio session to end");
    t.ok(ended, "logout ends the stdio session");
    await waitFor(() => opens >= 2, "a second attempt to open the serial device");
    t.ok(opens >= 2, "the serial device is retried");
});
