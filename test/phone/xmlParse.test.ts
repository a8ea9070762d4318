import t, { type Test } from "tap";
import { elementsOf, parseXml, sniffEncoding, textOf, XmlParseError } from "../../src/phone/xmlParse.js";

function fails(t: Test, xml: string, re: RegExp, opts = {}): void {
    try {
        parseXml(xml, opts);
        t.equal("parsed", "error", xml.slice(0, 40));
    } catch (err) {
        t.equal(err instanceof XmlParseError && re.test(err.message), true, `${xml.slice(0, 40)} → ${String(err)}`);
    }
}

t.test("well-formed documents", async (t) => {
    const doc = parseXml(
        `\uFEFF<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- c --><?pi x?>\n<a x='1' y = "&lt;&amp;&gt;&quot;&apos;&#65;&#x42;">\n  t1<b/>t2<!-- c --><![CDATA[<raw>]]><?pi?>&#x1F600;<c z="a\tb"></c >\n</a>\n<!-- tail -->\n`,
    );
    t.equal(doc.encoding, "ISO-8859-1");
    t.equal(doc.root.name, "a");
    t.equal(doc.root.attrs.get("y"), `<&>"'AB`);
    t.equal(doc.root.line, 3);
    const [b, c] = elementsOf(doc.root);
    t.equal(b!.name, "b");
    t.equal(c!.attrs.get("z"), "a b", "attribute whitespace normalised");
    t.equal(textOf(doc.root).trim(), "t1t2<raw>😀");
    t.equal(parseXml("<r/>").encoding, undefined);
    t.equal(parseXml("<?xml version='1.0'?><r>x</r>").root.children[0], "x");
});

t.test("refused and malformed input", async (t) => {
    fails(t, `<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>`, /DOCTYPE/);
    fails(t, `<r><!DOCTYPE x></r>`, /DOCTYPE/);
    fails(t, `<r>&x;</r>`, /unknown entity/);
    fails(t, `<r>&#0;</r>`, /character reference/);
    fails(t, `<r>&#xD800;</r>`, /character reference/);
    fails(t, `<r>&#12a;</r>`, /character reference/);
    fails(t, `<r>a & b</r>`, /bare "&"/);
    fails(t, `<r>\u0001</r>`, /not allowed/);
    fails(t, `<r>\uFFFE</r>`, /not allowed/);
    fails(t, `<r>\uD800x</r>`, /not allowed/);
    fails(t, `<r a="1" a="2"/>`, /duplicate attribute/);
    fails(t, `<r a=1/>`, /not quoted/);
    fails(t, `<r a/>`, /no value/);
    fails(t, `<r a="1/>`, /unterminated value/);
    fails(t, `<r a="<"/>`, /"<" in the value/);
    fails(t, `<r a="1"b="2"/>`, /malformed start tag/);
    fails(t, `<r></s>`, /unexpected end tag/);
    fails(t, `<r></r x>`, /malformed end tag/);
    fails(t, `<r>`, /unclosed element/);
    fails(t, `<r><!-- x</r>`, /unterminated comment/);
    fails(t, `<r><![CDATA[x</r>`, /unterminated CDATA/);
    fails(t, `<r><?x</r>`, /unterminated processing/);
    fails(t, `<?xml version="1.0"`, /unterminated XML declaration/);
    fails(t, `text`, /no root element/);
    fails(t, ``, /no root element/);
    fails(t, `<r/><s/>`, /after the root/);
    fails(t, `<r/>x`, /after the root/);
    fails(t, `<1r/>`, /expected a name/);
    fails(t, `<a><b><c/></b></a>`, /nested deeper/, { maxDepth: 2 });
    fails(t, `<r>${"x".repeat(100)}</r>`, /longer than/, { maxLength: 50 });
    const err = (() => {
        try {
            parseXml("<r>\n\n<x></r>");
        } catch (e) {
            return e as XmlParseError;
        }
    })()!;
    t.equal(err.code, "XML_PARSE");
    t.equal(err.details.line, 3);
});

t.test("sniffEncoding", async (t) => {
    t.equal(sniffEncoding(Buffer.from(`<?xml version="1.0" encoding='Shift_JIS'?><a/>`)), "Shift_JIS");
    t.equal(sniffEncoding(Buffer.from(`\xEF\xBB\xBF<?xml version="1.0" encoding="UTF-8"?>`, "latin1")), "UTF-8");
    t.equal(sniffEncoding(Buffer.from(`<a encoding="x"/>`)), undefined);
});
