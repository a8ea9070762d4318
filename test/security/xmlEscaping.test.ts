/**
 * Security: every XML document the box sends a phone, with hostile values from the wire in every slot that
 * takes one (called and second DN: SCCP char[24] fields; the date template; the phone model header), in
 * every screen kind and locale, served over HTTP as a phone fetches it, and the Execute objects the box
 * pushes. Each must be well formed and valid against Cisco's XSD (xmllint), carry the XML specials as
 * entities, and hold no control character at all.
 */
import { request } from "node:http";
import t from "tap";
import { loadDictionariesSync, SCREEN_KINDS, SCREENS, SHIPPED_LOCALES } from "../../src/phone/dictionary.js";
import { type BoxAction, PhoneHttpService } from "../../src/phone/http.js";
import { buildExecute, playUri } from "../../src/phone/xsi.js";
import { needXmllint, xsdFailures } from "../phone/xmllint.js";

const skip = needXmllint();
const HOSTILE_DN = "<&\">'\x00\x07\x1b[2J\x1b]0;x\x07\x7f\x85\x9b]]>";
const HOSTILE_DN2 = "'\"><script>&amp;\u2028日本\ud800";
const PHONE = "127.0.1.9";

function get(url: string, headers: Record<string, string>) {
    return new Promise<Buffer>((resolve, reject) => {
        const req = request(url, { localAddress: PHONE, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve(Buffer.concat(chunks)));
        });
        req.on("error", reject);
        req.end();
    });
}

/** Control characters, except line feeds between markup (after the declaration, at the end). */
function controls(bytes: Buffer): number[] {
    const out: number[] = [];
    bytes.forEach((b, i) => {
        if ((b < 0x20 && !(b === 0x0a && bytes[i - 1] === 0x3e)) || b === 0x7f) out.push(b);
    });
    return out;
}

t.test("every screen, every locale, hostile wire values: valid XSI, escaped, no controls", { skip }, async (t) => {
    const svc = new PhoneHttpService({
        host: "127.0.0.1",
        port: 0,
        locales: loadDictionariesSync(),
        defaultLocale: "en_US",
        onAction: () => ({ kind: "requestInvalid" }),
    });
    await svc.start();
    t.teardown(() => svc.stop());
    const docs: { name: string; bytes: Buffer }[] = [];
    for (const locale of SHIPPED_LOCALES) {
        for (const kind of SCREEN_KINDS) {
            const actions = SCREENS[kind].softKeys.filter((k): k is BoxAction => k === "cancel" || k === "ok");
            const { url } = svc.issue({
                device: "SEP<&>",
                phoneIp: PHONE,
                kind,
                params: { dn: HOSTILE_DN, dn2: HOSTILE_DN2 },
                phoneTime: { epochMs: Date.UTC(2026, 0, 2, 3, 4), utcOffsetMinutes: 60, dateTemplate: "<&>\x1bD.M.Y" },
                actions,
                directoryLocale: locale,
                // a Shift_JIS-capable model for ja_JP; the header is wire data too
                model: locale === "ja_JP" ? "Cisco IP Phone 7975" : "<x>&\x1b",
                ref: "r<&>",
            });
            const body = await get(url, { "x-ciscoipphonemodelname": '<&">', "accept-language": "<&>;q=x" });
            docs.push({ name: `${locale} ${kind}`, bytes: body });
        }
    }
    t.same(xsdFailures(docs), {}, "all valid against CiscoIPPhone.xsd");
    for (const d of docs) {
        t.same(controls(d.bytes), [], `${d.name}: no control characters`);
        const text = d.bytes.toString("latin1");
        t.notMatch(text, /<script>|<&|\]\]>/, `${d.name}: no raw markup from the wire`);
    }
    const en = docs.find((d) => d.name === "en_US notFound")!.bytes.toString("latin1");
    t.match(en, /&lt;&amp;&quot;&gt;&apos;/, "specials are entities");
});

t.test("Execute objects: escaped URLs, valid XSI, hostile Play file names refused", { skip }, async (t) => {
    const docs = [
        {
            name: "notify",
            bytes: Buffer.from(
                buildExecute([
                    { url: playUri("CallBack.raw") },
                    { url: "http://box:8080/cb/s/AAAAAAAAAAAAAAAAAAAAAA?a=1&b='<x>'", priority: 0 },
                ]).xml,
            ),
        },
    ];
    t.same(xsdFailures(docs), {});
    t.match(docs[0]!.bytes.toString("latin1"), /a=1&amp;b=&apos;&lt;x&gt;&apos;/);
    for (const bad of ["../etc/passwd", "a b", "x\x1b", "http://evil/x", "a&b"]) {
        t.throws(() => playUri(bad), { code: "XSI_URL_INVALID" }, JSON.stringify(bad));
    }
    t.throws(() => buildExecute([{ url: "http://box/\x1b[2J" }]), { code: /^XSI_/ }, "a control character in a URL");
});
