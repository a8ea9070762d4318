/**
 * The house rules: the source import graph has no cycle, and no file imports against the layer order of
 * docs/ARCHITECTURE.md. The checker itself is tested on small made-up graphs, so it can fail.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import {
    ARCHITECTURE_MD,
    findCycles,
    type ImportGraph,
    importGraph,
    layerViolations,
    readLayers,
    SRC,
    specifiers,
    unitOf,
} from "./importGraph.js";

const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

t.test("the checker finds the import specifiers of every kind", async (t) => {
    const text = [
        'import { a } from "./a.js";',
        'import type { B } from "../b/b.js";',
        'export { c } from "./c.js";',
        'export type * from "./d.js";',
        'import "./e.js";',
        'const f = await import("./f.js");',
        'import ts from "typescript";',
    ].join("\n");
    t.same(specifiers(text), ["./a.js", "../b/b.js", "./c.js", "./d.js", "./e.js", "./f.js"]);
});

t.test("the checker finds a cycle, and none in a tree", async (t) => {
    const cyclic = graph({
        "a/x.ts": ["b/y.ts"],
        "b/y.ts": ["c/z.ts"],
        "c/z.ts": ["a/x.ts"],
        "d/w.ts": ["a/x.ts"],
        "e/self.ts": ["e/self.ts"],
    });
    t.same(findCycles(cyclic), [["a/x.ts", "b/y.ts", "c/z.ts"], ["e/self.ts"]]);
    t.same(findCycles(graph({ "a/x.ts": ["b/y.ts", "c/z.ts"], "b/y.ts": ["c/z.ts"], "c/z.ts": [] })), []);
});

t.test("the checker finds upward, peer and unplaced imports", async (t) => {
    const layers = readLayers("# doc\n\n```layers\ntop\nmid | side   # peers\nlow\n```\n");
    t.same(layers, [["top"], ["mid", "side"], ["low"]]);
    const g = graph({
        "top/t.ts": ["mid/m.ts", "low/l.ts", "top/u.ts"],
        "top/u.ts": [],
        "mid/m.ts": ["low/l.ts", "top/t.ts", "side/s.ts"],
        "side/s.ts": [],
        "low/l.ts": ["errors.ts"],
        "errors.ts": [],
    });
    t.same(
        layerViolations(g, layers).map((v) => `${v.from} -> ${v.to}: ${v.why}`),
        ["mid/m.ts -> top/t.ts: upward", "mid/m.ts -> side/s.ts: peer", "low/l.ts -> errors.ts: unplaced"],
    );
    t.equal(unitOf("errors.ts"), "errors");
    t.equal(unitOf("cluster/model.ts"), "cluster");
});

t.test("src/ has no import cycle", async (t) => {
    const cycles = findCycles(importGraph(SRC));
    t.same(cycles, [], cycles.map((c) => c.join(" → ")).join("; "));
});

t.test("src/ imports only downwards in the layer order of docs/ARCHITECTURE.md", async (t) => {
    const layers = readLayers(readFileSync(ARCHITECTURE_MD, "utf8"));
    const placed = new Set(layers.flat());
    const units = readdirSync(SRC, { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name : unitOf(e.name)));
    t.same(
        units.filter((u) => !placed.has(u)),
        [],
        "every folder of src/ has its place in the layers",
    );
    const bad = layerViolations(importGraph(SRC), layers);
    t.same(
        bad.map((v) => `${v.from} -> ${v.to} (${v.why})`),
        [],
        `see the layers in ${join("docs", "ARCHITECTURE.md")}`,
    );
});
