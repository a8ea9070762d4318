import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { needTool } from "../../helpers/tools.js";
import { waitFor } from "../../helpers/wait.js";
import { delay, executeXml, FakePhone, push, startBench, startPages, startServer } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

// Cisco's documented order (Text before SoftKeyItem; Name, URL, Position), Latin-1 text.
const NOTIFY = (base: string) => `<?xml version="1.0" encoding="ISO-8859-1"?>
<CiscoIPPhoneText>
  <Title>Rückruf</Title>
  <Prompt>Press Dial to call</Prompt>
  <Text>1002 has become available
Time 10:42 11/26/2025</Text>
  <SoftKeyItem><Name>Dial</Name><URL>Dial:1002</URL><Position>1</Position></SoftKeyItem>
  <SoftKeyItem><Name>Cancel</Name><URL>/cb/cancel?id=7</URL><Position>2</Position></SoftKeyItem>
  <SoftKeyItem><Name>Exit</Name><URL>SoftKey:Exit</URL><Position>3</Position></SoftKeyItem>
  <SoftKeyItem><Name>More</Name><URL>${base}/cb/more</URL><Position>4</Position></SoftKeyItem>
</CiscoIPPhoneText>`;

const CANCELLED =
    "<CiscoIPPhoneText><Title>CallBack</Title><Text>Cancelled</Text><SoftKeyItem><Name>Back</Name><Position>1</Position><URL>SoftKey:Back</URL></SoftKeyItem></CiscoIPPhoneText>";

t.test("a pushed URL is fetched with a 79xx's headers, from the phone's address", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    b.phone.locale = "German_Germany";
    const pages = await startPages({ "/cb/notify": (r) => NOTIFY(`http://${r.headers.host}`) });
    t.teardown(pages.close);
    await push(b.svc, executeXml({ url: `${pages.url}/cb/notify?id=7` }));
    const req = pages.seen[0]!;
    t.equal(req.method, "GET");
    t.equal(req.url, "/cb/notify?id=7");
    t.equal(req.remoteAddress, b.svc.address.host);
    t.equal(req.headers["x-ciscoipphonemodelname"], "CP-7960G");
    t.equal(req.headers["x-ciscoipphonedisplay"], "133,65,2,G");
    t.equal(req.headers["x-ciscoipphonesdkversion"], "3.3.4");
    t.equal(req.headers["accept-language"], "de");
    t.match(req.headers["user-agent"], /^Allegro-Software-WebClient/);
    t.equal(req.headers.accept, "x-CiscoIPPhone/*, text/*, image/png, */*");
    t.equal(req.headers["accept-charset"], "utf-8,iso-8859-1;q=0.8");
    t.equal(b.svc.fetches[0]?.status, 200);
    t.equal(b.svc.fetches[0]?.headers["x-CiscoIPPhoneModelName"], "CP-7960G");
    // Rendered (Latin-1 decoded, order-tolerant).
    const s = b.svc.current()!;
    t.equal(s.kind, "text");
    t.equal(s.source, "pull");
    t.equal(s.title, "Rückruf");
    t.equal(s.prompt, "Press Dial to call");
    t.match(s.text, /^1002 has become available\nTime/);
    t.same(
        s.softKeys.map((k) => [k.position, k.name]),
        [
            [1, "Dial"],
            [2, "Cancel"],
            [3, "Exit"],
            [4, "More"],
        ],
    );
    t.equal(s.defaultSoftKeys, false);
    t.ok(s.at > 0);
});

t.test("softkeys: Dial:, a relative URL, SoftKey:Back, SoftKey:Exit", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    const pages = await startPages({
        "/cb/notify": (r) => NOTIFY(`http://${r.headers.host}`),
        "/cb/cancel": CANCELLED,
        "/cb/more": "<CiscoIPPhoneText><Text>more</Text></CiscoIPPhoneText>",
    });
    t.teardown(pages.close);
    const open = async () => {
        await b.svc.open(`${pages.url}/cb/notify`);
        t.equal(b.svc.current()?.title, "Rückruf");
    };
    await open();
    await b.svc.pressSoftKey("Dial");
    t.same(b.phone.dialed, ["1002"]);
    t.equal(b.svc.current(), undefined, "dialling leaves the XSI screen");

    await open();
    await b.svc.pressSoftKey("Cancel");
    t.equal(pages.seen.at(-1)?.url, "/cb/cancel?id=7", "relative URL resolved against the screen's URL");
    t.equal(pages.seen.at(-1)?.remoteAddress, b.svc.address.host);
    t.equal(b.svc.current()?.text, "Cancelled");
    await b.svc.pressSoftKey("Back");
    t.equal(b.svc.current()?.title, "Rückruf", "Back returns to the previous screen");

    await b.svc.pressSoftKeyAt(4);
    t.equal(b.svc.current()?.text, "more");
    t.same(
        b.svc.current()?.softKeys.map((k) => [k.name, k.url]),
        [
            ["Update", "SoftKey:Update"],
            ["Exit", "SoftKey:Exit"],
        ],
        "built-in softkeys when the object has none",
    );
    t.equal(b.svc.current()?.defaultSoftKeys, true);
    await b.svc.pressSoftKey("Update");
    t.equal(pages.seen.at(-1)?.url, "/cb/more");
    t.equal(b.svc.screens.at(-1)?.text, "more");
    await b.svc.pressSoftKey("Exit");
    t.equal(b.svc.current(), undefined, "Exit closes the XSI screens");
    t.same(
        b.svc.uris.map((u) => [u.origin, u.url]),
        [
            ["softkey", "Dial:1002"],
            ["softkey", "SoftKey:Back"],
            ["softkey", "SoftKey:Update"],
            ["softkey", "SoftKey:Exit"],
        ],
    );
    t.same(
        b.svc.screens.map((s) => s.text.split("\n")[0]),
        ["1002 has become available", "1002 has become available", "Cancelled", "more", "more"],
    );
});

t.test("softkey errors are typed", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    await t.rejects(b.svc.pressSoftKey("Exit"), { code: "XSI_NO_SCREEN" });
    const pages = await startPages({ "/t": CANCELLED });
    t.teardown(pages.close);
    await b.svc.open(`${pages.url}/t`);
    await t.rejects(b.svc.pressSoftKey("Nope"), { code: "XSI_NO_SOFTKEY" });
    await t.rejects(b.svc.pressSoftKeyAt(8), { code: "XSI_NO_SOFTKEY" });
    await t.rejects(b.svc.selectItem(0), { code: "XSI_NO_ITEM" });
});

t.test("softkey Play:, Key:, QueryStringParam:, empty URL and an unknown SoftKey:", { skip }, async (t) => {
    // the phone's clock: real time, but every wait on it is recorded
    const slept: number[] = [];
    const clock = {
        now: () => Date.now(),
        sleep: (ms: number) => {
            slept.push(ms);
            return delay(ms);
        },
    };
    const b = await startBench({ clock });
    t.teardown(b.close);
    const page = `<CiscoIPPhoneText><Title>K</Title>
<SoftKeyItem><Name>Ping</Name><URL>Play:CallBack.raw</URL><Position>1</Position></SoftKeyItem>
<SoftKeyItem><Name>Key</Name><URL>Key:Headset</URL><Position>2</Position></SoftKeyItem>
<SoftKeyItem><Name>Q</Name><URL>QueryStringParam:page=2</URL><Position>3</Position></SoftKeyItem>
<SoftKeyItem><Name>Blank</Name><Position>4</Position></SoftKeyItem>
<SoftKeyItem><Name>Odd</Name><URL>SoftKey:Frobnicate</URL><Position>5</Position></SoftKeyItem>
<SoftKeyItem><Name>Sel</Name><URL>SoftKey:Select</URL><Position>6</Position></SoftKeyItem>
<SoftKeyItem><Name>Bad</Name><URL>http://[::1</URL><Position>7</Position></SoftKeyItem>
</CiscoIPPhoneText>`;
    const pages = await startPages({ "/k": page });
    t.teardown(pages.close);
    await b.svc.open(`${pages.url}/k?a=1`);
    await b.svc.pressSoftKey("Ping");
    t.same(b.svc.sounds, ["CallBack.raw"]);
    t.equal(b.svc.soundLog[0]?.durationMs, 300);
    t.same(slept, [300], "a softkey Play: waits for the clip's 300 ms on the phone's clock");
    await b.svc.pressSoftKey("Key");
    t.same(b.phone.keys, ["Headset"]);
    await b.svc.pressSoftKey("Q");
    t.equal(pages.seen.at(-1)?.url, "/k?a=1&page=2");
    const n = b.svc.screens.length;
    await b.svc.pressSoftKey("Blank");
    await b.svc.pressSoftKey("Odd");
    await b.svc.pressSoftKey("Sel");
    t.equal(b.svc.screens.length, n, "nothing happens");
    await b.svc.pressSoftKey("Bad");
    t.equal(b.svc.current()?.kind, "error");
    t.equal(b.svc.current()?.text, "URL Error");
});

t.test("menus and directories", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    const pages = await startPages({
        "/menu":
            "<CiscoIPPhoneMenu><Title>M</Title><MenuItem><Name>Dir</Name><URL>/dir</URL></MenuItem><MenuItem><Name>Call</Name><URL>Dial:1001</URL></MenuItem></CiscoIPPhoneMenu>",
        "/dir": "<CiscoIPPhoneDirectory><Title>D</Title><DirectoryEntry><Name>Ann</Name><Telephone>1003</Telephone></DirectoryEntry></CiscoIPPhoneDirectory>",
        "/input":
            "<CiscoIPPhoneInput><Title>I</Title><URL>/x</URL><InputItem><DisplayName>Ext</DisplayName><QueryStringParam>e</QueryStringParam><InputFlags>N</InputFlags><DefaultValue>1</DefaultValue></InputItem></CiscoIPPhoneInput>",
    });
    t.teardown(pages.close);
    const menu = await b.svc.open(`${pages.url}/menu`);
    t.equal(menu?.kind, "menu");
    t.same(menu?.items, [
        { name: "Dir", value: "/dir" },
        { name: "Call", value: "Dial:1001" },
    ]);
    t.same(
        menu?.softKeys.map((k) => k.name),
        ["Select", "Exit"],
    );
    await b.svc.selectItem(0);
    t.equal(b.svc.current()?.kind, "directory");
    t.same(
        b.svc.current()?.softKeys.map((k) => k.name),
        ["Dial", "EditDial", "Exit"],
    );
    await b.svc.pressSoftKey("Dial");
    t.same(b.phone.dialed, ["1003"], "Dial on a directory dials the entry");
    await b.svc.open(`${pages.url}/dir`);
    await b.svc.selectItem(0);
    t.same(b.phone.dialed, ["1003", "1003"]);
    await b.svc.open(`${pages.url}/menu`);
    await b.svc.selectItem(1);
    t.same(b.phone.dialed, ["1003", "1003", "1001"]);
    const input = await b.svc.open(`${pages.url}/input`);
    t.equal(input?.kind, "input");
    t.same(input?.items, [{ name: "Ext", value: "1" }]);
    t.same(
        input?.softKeys.map((k) => k.name),
        ["Submit", "<<", "Cancel"],
    );
    await b.svc.pressSoftKey("Cancel");
    t.equal(b.svc.current(), undefined);
});

t.test("a fetched Execute runs its items; a fetched Error object shows an error", { skip }, async (t) => {
    const b = await startBench();
    t.teardown(b.close);
    const pages = await startPages({
        "/exec": executeXml({ url: "Dial:1009" }, { url: "Play:CallBack.raw" }),
        "/bad-exec": executeXml({ url: "Dial:1" }, { url: "Dial:2" }, { url: "Dial:3" }, { url: "Dial:4" }),
        "/err": '<CiscoIPPhoneError Number="1"/>',
    });
    t.teardown(pages.close);
    t.equal(await b.svc.open(`${pages.url}/exec`), undefined);
    t.same(b.phone.dialed, ["1009"]);
    t.same(b.svc.sounds, ["CallBack.raw"]);
    t.same(
        b.svc.uris.map((u) => u.origin),
        ["pull", "pull"],
    );
    await b.svc.open(`${pages.url}/bad-exec`);
    t.same(b.phone.dialed, ["1009"], "an Execute breaking the rules does nothing");
    const err = await b.svc.open(`${pages.url}/err`);
    t.equal(err?.kind, "error");
    t.equal(err?.text, "XML Error: CiscoIPPhoneError");
});

t.test("what the phone shows when the server fails", { skip }, async (t) => {
    const b = await startBench({ fetchTimeoutMs: 150 });
    t.teardown(b.close);
    const srv = await startServer(async (req, res) => {
        if (req.url === "/500") res.writeHead(500).end("boom");
        else if (req.url === "/garbage") res.writeHead(200, { "Content-Type": "text/xml" }).end("<<<\u0001>>>");
        else if (req.url === "/slow") {
            await delay(400);
            res.writeHead(200, { "Content-Type": "text/xml" }).end(CANCELLED);
        } else if (req.url === "/reset") res.socket?.destroy();
        else res.writeHead(404).end();
    });
    t.teardown(srv.close);
    const cases: Array<[string, string]> = [
        ["/500", "HTTP Error [500]"],
        ["/missing", "HTTP Error [404]"],
        ["/garbage", "XML Parse Error"],
        ["/slow", "Timeout"],
        ["/reset", "Connection reset"],
    ];
    for (const [path, text] of cases) {
        const s = await b.svc.open(`${srv.url}${path}`);
        t.equal(s?.kind, "error", path);
        t.equal(s?.text, text, path);
        t.equal(s?.url, `${srv.url}${path}`);
    }
    const down = await b.svc.open("http://127.0.0.1:9/x");
    t.equal(down?.text, "Host not found");
    t.equal(b.svc.fetches.at(-1)?.error, "ECONNREFUSED");
    t.equal((await b.svc.open("ftp://127.0.0.1/x"))?.text, "URL Error");
    t.equal((await b.svc.open("not a url"))?.text, "URL Error");
    // Error screens close with their Exit softkey.
    await b.svc.pressSoftKey("Exit");
    t.equal(b.svc.current(), undefined);
});

t.test("validatePulled marks screens that fail the XSD", { skip }, async (t) => {
    const b = await startBench({
        validatePulled: true,
        headers: { "x-CiscoIPPhoneSDKVersion": "4.1.1", "X-Extra": "1" },
    });
    t.teardown(b.close);
    const pages = await startPages({
        "/ok": CANCELLED,
        "/long": `<CiscoIPPhoneText><Title>${"x".repeat(40)}</Title></CiscoIPPhoneText>`,
    });
    t.teardown(pages.close);
    t.equal((await b.svc.open(`${pages.url}/ok`))?.schemaValid, true);
    const long = await b.svc.open(`${pages.url}/long`);
    t.equal(long?.schemaValid, false);
    t.equal(long?.title.length, 40, "still rendered");
    t.equal(pages.seen[0]?.headers["x-ciscoipphonesdkversion"], "4.1.1", "header override");
    t.equal(pages.seen[0]?.headers["x-extra"], "1");
});

t.test("phone events wake held items; a timer clock drives Play and timestamps", { skip }, async (t) => {
    const { EventEmitter } = await import("node:events");
    const emitter = new EventEmitter();
    const phone = Object.assign(new FakePhone(), {
        model: "7940",
        modelName: "CP-7940G",
        on: (e: string, l: () => void) => emitter.on(e, l),
        off: (e: string, l: () => void) => emitter.off(e, l),
    });
    // A manual timer clock (SimClock shape: now + setTimer): time moves only when the test says so.
    const clock = new ManualClock();
    const b = await startBench({ phone, clock, statePollMs: 60_000 });
    t.teardown(b.close);
    t.equal(emitter.listenerCount("idle"), 1);
    const pages = await startPages({ "/p": "<CiscoIPPhoneText><Title>P</Title></CiscoIPPhoneText>" });
    t.teardown(pages.close);
    phone.idle = false;
    await push(b.svc, executeXml({ url: `${pages.url}/p`, priority: 1 }));
    phone.idle = true;
    emitter.emit("idle");
    await b.svc.settled();
    t.equal(b.svc.current()?.title, "P", "woken by the idle event, not the 60 s poll");
    t.equal(pages.seen[0]?.headers["x-ciscoipphonemodelname"], "CP-7940G", "modelName wins over model");
    let answered = false;
    const playing = push(b.svc, executeXml({ url: "Play:CallBack.raw" })).then((a) => {
        answered = true;
        return a;
    });
    await waitFor(() => b.svc.soundLog.length === 1, "the clip to start");
    const startedAt = clock.now();
    t.equal(b.svc.soundLog[0]?.at, startedAt, "timestamped on the phone's clock");
    t.equal(b.svc.soundLog[0]?.durationMs, 300);
    clock.advance(299);
    await delay(50);
    t.notOk(answered, "still playing 299 ms into the clip (the phone's clock, not the wall's)");
    clock.advance(1);
    t.equal((await playing).status, 200, "answered once the clock reached the clip's end");
    await b.svc.stop();
    t.equal(emitter.listenerCount("idle"), 0, "listeners removed on stop");
});
