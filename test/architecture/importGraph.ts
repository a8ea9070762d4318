/**
 * The source import graph and the two rules the house keeps: no import cycles, and no import against the
 * layer order written in docs/ARCHITECTURE.md (the fenced `layers` block: top line highest; a folder may
 * import its own files and any folder on a lower line, never one on its own line or a higher one).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import ts from "typescript";

/** File (path relative to the source root, `/`-separated) → the source files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** One import against the layer order. */
export interface LayerViolation {
    from: string;
    to: string;
    fromUnit: string;
    toUnit: string;
    why: "upward" | "peer" | "unplaced";
}

/** Every `.ts` file under `root`, relative and `/`-separated. */
function sourceFiles(root: string, dir = root): string[] {
    const out: string[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) out.push(...sourceFiles(root, p));
        else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(relative(root, p).split(sep).join("/"));
    }
    return out.sort();
}

/** The relative module specifiers of one file: imports, `export … from`, `import type`, dynamic `import()`. */
export function specifiers(text: string): string[] {
    return ts
        .preProcessFile(text, true, true)
        .importedFiles.map((f) => f.fileName)
        .filter((s) => s.startsWith("."));
}

/** A specifier of `file` as a graph node (`./x.js` → `dir/x.ts`). */
function resolveSpecifier(file: string, spec: string): string {
    return posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, ".ts");
}

/** The import graph of the TypeScript sources under `root` (only edges between those sources). */
export function importGraph(root: string): ImportGraph {
    const files = sourceFiles(root);
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const f of files) {
        const deps = specifiers(readFileSync(join(root, f), "utf8"))
            .map((s) => resolveSpecifier(f, s))
            .filter((d) => known.has(d));
        graph.set(f, [...new Set(deps)]);
    }
    return graph;
}

/** The import cycles (strongly connected components of more than one file, or a file importing itself). */
export function findCycles(graph: ImportGraph): string[][] {
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, next);
        low.set(v, next);
        next++;
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!graph.has(w)) continue;
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
            }
        }
        if (low.get(v) !== index.get(v)) return;
        const component: string[] = [];
        for (;;) {
            const w = stack.pop();
            if (w === undefined) break;
            onStack.delete(w);
            component.push(w);
            if (w === v) break;
        }
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    return cycles;
}

/** The layer a file belongs to: its top folder, or its name for a file at the root (`errors.ts` → `errors`). */
export function unitOf(file: string): string {
    const slash = file.indexOf("/");
    return slash === -1 ? file.replace(/\.ts$/, "") : file.slice(0, slash);
}

/**
 * The layers of the fenced `layers` block of a Markdown text, highest first; each line holds one layer,
 * peers separated by `|`.
 */
export function readLayers(markdown: string): string[][] {
    const m = /^```layers\n([\s\S]*?)^```/m.exec(markdown);
    if (m === null) throw new Error("no ```layers block");
    return (m[1] ?? "")
        .split("\n")
        .map((line) => line.replace(/#.*$/, "").trim())
        .filter((line) => line !== "")
        .map((line) => line.split("|").map((u) => u.trim()));
}

/** The imports against the layer order (`layers` highest first, as `readLayers` returns them). */
export function layerViolations(graph: ImportGraph, layers: readonly (readonly string[])[]): LayerViolation[] {
    const rank = new Map<string, number>();
    layers.forEach((peers, i) => {
        for (const u of peers) rank.set(u, layers.length - i);
    });
    const out: LayerViolation[] = [];
    for (const [from, deps] of graph) {
        const fromUnit = unitOf(from);
        for (const to of deps) {
            const toUnit = unitOf(to);
            if (fromUnit === toUnit) continue;
            const a = rank.get(fromUnit);
            const b = rank.get(toUnit);
            const why = a === undefined || b === undefined ? "unplaced" : b > a ? "upward" : b === a ? "peer" : null;
            if (why !== null) out.push({ from, to, fromUnit, toUnit, why });
        }
    }
    return out;
}

const REPO = join(dirname(new URL(import.meta.url).pathname), "../..");
/** The source root of this repository. */
export const SRC = join(REPO, "src");
/** The document that holds the layer order. */
export const ARCHITECTURE_MD = join(REPO, "docs", "ARCHITECTURE.md");
