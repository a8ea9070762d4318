import t from "tap";
import { childElements, childText, escapeXml, parseXml, serializeXml, textOf } from "../../../src/sim/xsi/xml.js";

t.test("parses elements, attributes, text, entities, CDATA, comments and PIs", async (t) => {
    const r = parseXml(
        `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- before -->
<Root a="1 &amp; 2" b='x&#65;&#x42;&lt;'>
  <Title>T&apos;s &quot;q&quot; &gt;</Title><?pi stuff?><!-- c -->
  <Text><![CDATA[<raw> & ]]>tail</Text>
  <Empty/><Empty />
</Root>
<!-- after --> <?after?>
`,
    );
    t.ok(r.ok);
    if (!r.ok) return;
    const root = r.root;
    t.equal(root.name, "Root");
    t.same(
        [...root.attrs],
        [
            ["a", "1 & 2"],
            ["b", "xAB<"],
        ],
    );
    t.equal(childText(root, "Title"), 'T\'s "q" >');
    t.equal(childText(root, "Text"), "<raw> & tail");
    t.equal(childText(root, "Missing"), undefined);
    t.equal(childElements(root, "Empty").length, 2);
    t.equal(childElements(root).length, 4);
    t.equal(textOf(childElements(root, "Empty")[0]!), "");
});

t.test("attribute values are whitespace-normalised", async (t) => {
    const r = parseXml('<a v="x\ty\nz"/>');
    t.equal(r.ok && r.root.attrs.get("v"), "x y z");
});

t.test("rejects what a phone's parser rejects", async (t) => {
    const bad: Array<[string, RegExp]> = [
        ["", /root element expected/],
        ["   ", /root element expected/],
        ["text", /root element expected/],
        ["<a>", /unexpected end/],
        ["<a></b>", /mismatched end tag/],
        ["<a></a", /'>' expected/],
        ["<a/><b/>", /content after the root/],
        ["<a/>junk", /content after the root/],
        ["<a x='1'x='2'/>", /whitespace expected/],
        ["<a x='1' x='2'/>", /duplicate attribute/],
        ["<a x=1/>", /quoted attribute value/],
        ["<a x/>", /'=' expected/],
        ["<a x='1/>", /unterminated attribute/],
        ["<a x='<'/>", /'<' in attribute/],
        ["<a x='&foo;'/>", /unknown entity/],
        ["<a>&amp</a>", /unterminated entity/],
        ["<a>&#0;</a>", /bad character reference/],
        ["<a>&#xZZ;</a>", /bad character reference/],
        ["<a>&#;</a>", /bad character reference/],
        ["<a / >", /'>' expected after '\/'/],
        ["<a", /unterminated start tag/],
        ["<1a/>", /name expected/],
        ["<a></ >", /name expected/],
        ["<!DOCTYPE a><a/>", /DOCTYPE/],
        ["<!-- x <a/>", /unterminated comment/],
        ["<?xml <a/>", /unterminated processing/],
        ["<a><!-- x </a>", /unterminated comment/],
        ["<a><![CDATA[ x </a>", /unterminated CDATA/],
        ["<a><? x </a>", /unterminated processing/],
        ["<a><!ENTITY x></a>", /markup declaration/],
        ["<a>\u0001</a>", /control character/],
        ["<a/><!-- x", /unterminated comment/],
    ];
    for (const [src, re] of bad) {
        const r = parseXml(src);
        t.notOk(r.ok, JSON.stringify(src));
        if (!r.ok) {
            t.match(r.error, re, JSON.stringify(src));
            t.type(r.offset, "number");
        }
    }
});

t.test("serialises with escaping", async (t) => {
    const r = parseXml('<a k="&quot;&amp;&apos;"><b>1 &lt; 2</b><c/>x</a>');
    t.ok(r.ok);
    if (!r.ok) return;
    t.equal(serializeXml(r.root), '<a k="&quot;&amp;&apos;"><b>1 &lt; 2</b><c/>x</a>');
    t.equal(escapeXml(`<&>"'`), "&lt;&amp;&gt;&quot;&apos;");
});

t.test("non-ASCII names and deep nesting", async (t) => {
    const r = parseXml("<é><ü>x</ü></é>");
    t.ok(r.ok);
    const deep = `${"<a>".repeat(20_000)}${"</a>".repeat(20_000)}`;
    t.ok(parseXml(deep).ok, "no recursion limit");
});
