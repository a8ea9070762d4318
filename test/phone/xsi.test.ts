import t from "tap";
import { XsiError } from "../../src/phone/errors.js";
import {
    buildExecute,
    contentType,
    dialUri,
    type ExecuteItem,
    escapeXml,
    formBody,
    formEncode,
    isHttpUrl,
    MAX_REPLY_BYTES,
    PUSH_BODY_LIMIT,
    parsePhoneReply,
    playUri,
    serializeText,
    textXml,
    type XsiText,
} from "../../src/phone/xsi.js";
import { needXmllint, xsdFailures } from "./xmllint.js";

/** The XsiError code thrown by fn, or "none". */
function code(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        return err instanceof XsiError ? err.code : `other: ${String(err)}`;
    }
    return "none";
}

const SCREEN_URL = "http://192.0.2.10:8080/cb/screen?r=7f3a9c&t=Zm9vYmFyYmF6";

t.test("escaping", async (t) => {
    t.equal(escapeXml(`a&b<c>d"e'f`), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    t.equal(escapeXml("plain"), "plain");
    t.equal(contentType("Shift_JIS"), "text/xml; charset=Shift_JIS");
});

t.test("CiscoIPPhoneText in XSD order", async (t) => {
    const screen: XsiText = {
        title: "T&1",
        prompt: "P",
        text: "Body <x>",
        softKeys: [
            { name: "Dial", position: 1, url: "Dial:2001" },
            { name: "Exit", position: 3, url: "SoftKey:Exit", urlDown: "Key:Soft3" },
        ],
    };
    t.equal(
        textXml(screen, "ISO-8859-1"),
        `<?xml version="1.0" encoding="ISO-8859-1"?>\n<CiscoIPPhoneText><Title>T&amp;1</Title><Prompt>P</Prompt>` +
            `<SoftKeyItem><Name>Dial</Name><Position>1</Position><URL>Dial:2001</URL></SoftKeyItem>` +
            `<SoftKeyItem><Name>Exit</Name><Position>3</Position><URL>SoftKey:Exit</URL><URLDown>Key:Soft3</URLDown></SoftKeyItem>` +
            `<Text>Body &lt;x&gt;</Text></CiscoIPPhoneText>\n`,
    );
    t.equal(textXml({ softKeys: [] }, "ISO-8859-1").endsWith("<CiscoIPPhoneText></CiscoIPPhoneText>\n"), true);
    const key = (position: number, url = "SoftKey:Exit", name = "K") => ({ name, position, url });
    t.equal(
        code(() => serializeText({ title: "x".repeat(33), softKeys: [] }, "ISO-8859-1")),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => serializeText({ prompt: "x".repeat(33), softKeys: [] }, "ISO-8859-1")),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => serializeText({ text: "x".repeat(4001), softKeys: [] }, "ISO-8859-1")),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => serializeText({ title: "x".repeat(32), text: "y".repeat(4000), softKeys: [] }, "ISO-8859-1")),
        "none",
    );
    t.equal(
        code(() => serializeText({ title: "€", softKeys: [] }, "ISO-8859-1")),
        "XSI_UNENCODABLE",
    );
    t.equal(
        code(() => serializeText({ title: "é", softKeys: [] }, "Shift_JIS")),
        "XSI_UNENCODABLE",
    );
    t.equal(
        code(() => serializeText({ text: "a\u0007", softKeys: [] }, "ISO-8859-1")),
        "XSI_BAD_CHARACTER",
    );
    t.equal(
        code(() => serializeText({ text: "a\r\n\tb", softKeys: [] }, "ISO-8859-1")),
        "none",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1), key(1)] }, "ISO-8859-1")),
        "XSI_SOFTKEY_POSITION",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(9)] }, "ISO-8859-1")),
        "XSI_SOFTKEY_POSITION",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1.5)] }, "ISO-8859-1")),
        "XSI_SOFTKEY_POSITION",
    );
    t.equal(
        code(() => serializeText({ softKeys: [1, 2, 3, 4, 5, 6, 7, 8, 1].map((p) => key(p)) }, "ISO-8859-1")),
        "XSI_TOO_MANY_SOFTKEYS",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1, "")] }, "ISO-8859-1")),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1, "http://x/a b")] }, "ISO-8859-1")),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1, `http://x/${"a".repeat(250)}`)] }, "ISO-8859-1")),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => serializeText({ softKeys: [key(1, "SoftKey:Exit", "n".repeat(33))] }, "ISO-8859-1")),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => serializeText({ softKeys: [{ ...key(1), urlDown: "" }] }, "ISO-8859-1")),
        "XSI_URL_INVALID",
    );
});

t.test("URIs", async (t) => {
    t.equal(playUri("CallBack.raw"), "Play:CallBack.raw");
    t.equal(
        code(() => playUri("../etc/passwd")),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => playUri("http://x/a.raw")),
        "XSI_URL_INVALID",
    );
    t.equal(dialUri("+49 (30) 1234#"), "Dial:+49301234#");
    t.equal(
        code(() => dialUri("abc")),
        "XSI_URL_INVALID",
    );
    t.ok(isHttpUrl("HTTPS://box:8443/x"));
    t.notOk(isHttpUrl("Play:x.raw"));
    t.notOk(isHttpUrl("http:///nohost"));
});

t.test("CiscoIPPhoneExecute: content and limits", async (t) => {
    const doc = buildExecute([
        { url: "Play:CallBack.raw", priority: 0 },
        { url: `${SCREEN_URL}&x="1"`, priority: 1 },
    ]);
    const xml = doc.xml.toString("latin1");
    t.equal(
        xml,
        `<?xml version="1.0" encoding="ISO-8859-1"?>\n<CiscoIPPhoneExecute><ExecuteItem Priority="0" URL="Play:CallBack.raw"/>` +
            `<ExecuteItem Priority="1" URL="${SCREEN_URL.replace(/&/g, "&amp;")}&amp;x=&quot;1&quot;"/></CiscoIPPhoneExecute>`,
    );
    t.equal(doc.charset, "ISO-8859-1");
    t.ok(doc.body.toString("latin1").startsWith("XML=%3C%3Fxml+version%3D%221.0%22"));
    t.same(doc.body, formBody(doc.xml));
    t.equal(
        decodeURIComponent(doc.body.toString("latin1").slice(4).replace(/\+/g, " ")),
        xml,
        "body decodes to the XML",
    );
    const bare = buildExecute([{ url: "Key:Soft1" }], { declaration: false });
    t.equal(bare.xml.toString(), `<CiscoIPPhoneExecute><ExecuteItem URL="Key:Soft1"/></CiscoIPPhoneExecute>`);
    t.equal(
        buildExecute([{ url: "Play:a.raw" }, { url: "Dial:1" }, { url: "http://x/y" }]).xml.includes("Dial:1"),
        true,
    );
    t.equal(buildExecute([{ url: "Key:Soft1" }], { charset: "Shift_JIS" }).xml.includes("Shift_JIS"), true);

    t.equal(
        code(() => buildExecute([])),
        "XSI_NO_ITEMS",
    );
    const four: ExecuteItem[] = [
        { url: "Key:Soft1" },
        { url: "Key:Soft2" },
        { url: "Key:Soft3" },
        { url: "Key:Soft4" },
    ];
    t.equal(
        code(() => buildExecute(four)),
        "XSI_TOO_MANY_ITEMS",
    );
    t.equal(
        code(() => buildExecute([{ url: "http://a/1" }, { url: "http://a/2" }])),
        "XSI_MULTIPLE_URLS",
    );
    t.equal(
        code(() => buildExecute([{ url: "Key:Soft1", priority: 3 as 0 }])),
        "XSI_PRIORITY",
    );
    t.equal(
        code(() => buildExecute([{ url: "ftp://x/y" }])),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => buildExecute([{ url: "Bogus:x" }])),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => buildExecute([{ url: "Play:" }])),
        "XSI_URL_INVALID",
    );
    t.equal(
        code(() => buildExecute([{ url: `http://x/${"a".repeat(300)}` }])),
        "XSI_FIELD_TOO_LONG",
    );
    t.equal(
        code(() => buildExecute([{ url: "http://x/é" }], { charset: "ISO-8859-1" })),
        "none",
    );
    t.equal(
        code(() => buildExecute([{ url: "http://x/€" }])),
        "XSI_UNENCODABLE",
    );
});

t.test("the 512-byte push limit counts the whole form body", async (t) => {
    t.equal(PUSH_BODY_LIMIT, 512);
    const items = (n: number): ExecuteItem[] => [
        { url: "Play:CallBack.raw" },
        { url: `http://192.0.2.10/${"a".repeat(200)}` },
        { url: `Dial:${"1".repeat(n)}` },
    ];
    const sizeFor = (n: number) => buildExecute(items(n), { maxBodyBytes: 10_000 }).body.length;
    let n = 1;
    while (sizeFor(n) < PUSH_BODY_LIMIT && n < 256) n++;
    t.equal(sizeFor(n), 512, "found items that make exactly 512 bytes");
    const at = buildExecute(items(n));
    t.equal(at.body.length, 512, "512 is allowed");
    let err: unknown;
    try {
        buildExecute(items(n + 1));
    } catch (e) {
        err = e;
    }
    t.type(err, XsiError);
    t.equal((err as XsiError).code, "XSI_PUSH_TOO_LARGE");
    t.same((err as XsiError).details, { bytes: 513, limit: 512 });
    t.ok(at.xml.length < 512, "the raw XML alone is smaller: the encoded body is what counts");
    // escaping grows the encoded body: an & is 5 XML bytes and 15 body bytes
    t.equal(formEncode(Buffer.from("&amp;")), "%26amp%3B");
    t.equal(formEncode(Buffer.from("aZ09*-._ ~é", "latin1")), "aZ09*-._+%7E%E9");
});

t.test("Execute and Text objects validate against Cisco's XSD", { skip: needXmllint() }, async (t) => {
    const docs = [
        {
            name: "play+url",
            bytes: buildExecute([
                { url: "Play:CallBack.raw", priority: 0 },
                { url: SCREEN_URL, priority: 1 },
            ]).xml,
        },
        {
            name: "three uris",
            bytes: buildExecute([{ url: "Play:a.raw" }, { url: "Dial:1" }, { url: "Key:Soft1", priority: 2 }]).xml,
        },
        { name: "no declaration", bytes: buildExecute([{ url: "Init:CallHistory" }], { declaration: false }).xml },
        { name: "sjis", bytes: buildExecute([{ url: SCREEN_URL }], { charset: "Shift_JIS" }).xml },
        {
            name: "text",
            bytes: serializeText(
                {
                    title: "t",
                    prompt: "p",
                    text: "x",
                    softKeys: [{ name: "n", position: 8, url: "u:x", urlDown: "d:y" }],
                },
                "ISO-8859-1",
            ),
        },
        { name: "empty text", bytes: serializeText({ softKeys: [] }, "Shift_JIS") },
    ];
    t.same(xsdFailures(docs), {});
    // the harness does catch invalid documents
    const bad = Buffer.from(`<CiscoIPPhoneExecute>${'<ExecuteItem URL="Key:Soft1"/>'.repeat(4)}</CiscoIPPhoneExecute>`);
    const docOrder = Buffer.from("<CiscoIPPhoneText><Text>x</Text><Title>t</Title></CiscoIPPhoneText>");
    t.same(
        Object.keys(
            xsdFailures([
                { name: "four", bytes: bad },
                { name: "order", bytes: docOrder },
            ]),
        ),
        ["four", "order"],
    );
});

t.test("phone replies", async (t) => {
    t.same(
        parsePhoneReply(
            `<?xml version="1.0" encoding="utf-8"?><CiscoIPPhoneResponse><ResponseItem URL="Play:CallBack.raw" Data="" Status="0"/>` +
                `<ResponseItem Status="6" Data="No Active Call for Application" URL="RTPRx:Stop"/></CiscoIPPhoneResponse>`,
        ),
        {
            kind: "response",
            items: [
                { status: 0, data: "", url: "Play:CallBack.raw" },
                { status: 6, data: "No Active Call for Application", url: "RTPRx:Stop" },
            ],
        },
    );
    t.same(
        parsePhoneReply(
            Buffer.from(
                "<CiscoIPhoneResponse><ResponseItem><Status>0</Status><Data>é</Data></ResponseItem></CiscoIPhoneResponse>",
                "latin1",
            ),
        ),
        { kind: "response", items: [{ status: 0, data: "é", url: "" }] },
        "child elements (Cisco's original XSD spelling) and Latin-1 bytes",
    );
    t.same(parsePhoneReply(`<CiscoIPPhoneError Number="4"/>`), { kind: "error", number: 4 });
    t.same(parsePhoneReply(Buffer.from(`<CiscoIPPhoneError Number=" 1 "/>`)), { kind: "error", number: 1 });
    const bad = [
        "garbage",
        "<html><body>404</body></html>",
        `<!DOCTYPE x [<!ENTITY a "b">]><CiscoIPPhoneError Number="4"/>`,
        `<CiscoIPPhoneError/>`,
        `<CiscoIPPhoneError Number="x"/>`,
        `<CiscoIPPhoneError Number="70000"/>`,
        `<CiscoIPPhoneResponse/>`,
        `<CiscoIPPhoneResponse><Foo/></CiscoIPPhoneResponse>`,
        `<CiscoIPPhoneResponse><ResponseItem Status="ok"/></CiscoIPPhoneResponse>`,
        `<CiscoIPPhoneResponse>${'<ResponseItem Status="0"/>'.repeat(9)}</CiscoIPPhoneResponse>`,
        `<CiscoIPPhoneResponse>${" ".repeat(MAX_REPLY_BYTES)}</CiscoIPPhoneResponse>`,
    ];
    for (const b of bad) {
        t.equal(
            code(() => parsePhoneReply(b)),
            "XSI_REPLY_INVALID",
            b.slice(0, 50),
        );
    }
    try {
        parsePhoneReply("garbage with secret-ish content");
    } catch (err) {
        t.notMatch(JSON.stringify(err), /secret-ish/, "the body is not echoed in the error");
    }
});
