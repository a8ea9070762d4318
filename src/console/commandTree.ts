/**
 * The command language: a tree of keywords and arguments, matched IOS-style (unambiguous prefixes,
 * `?` help, Tab completion, a caret under the word that does not fit). Pure: no I/O.
 */

/** What a command returns: lines of output (without line ends). */
export type CommandOutput = string[];

/** One node of the tree: a keyword (`show`) or an argument (`<name>`). */
export interface CommandNode<C> {
    /** Keyword, or `<name>` for an argument (matches any word). */
    word: string;
    help: string;
    children?: CommandNode<C>[];
    /** Present when the command may end here. */
    run?: (ctx: C, args: Record<string, string>) => CommandOutput | Promise<CommandOutput>;
    /** Needs privileged mode (`enable`). */
    privileged?: boolean;
    /** Wins when an abbreviation matches several keywords (`sh ph` is `show phones`, not `show phone`). */
    preferred?: boolean;
    /** Candidates of an argument, for Tab and `?`. */
    candidates?: (ctx: C) => string[];
    /** An argument that takes the rest of the line, spaces included (a value such as a BPF filter). */
    rest?: boolean;
}

/** A word of the input line and where it starts. */
interface Token {
    text: string;
    at: number;
}

function tokenize(line: string): Token[] {
    const out: Token[] = [];
    const re = /\S+/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push({ text: m[0], at: m.index });
    return out;
}

function isArg<C>(n: CommandNode<C>): boolean {
    return n.word.startsWith("<");
}

/** Keyword children matching a prefix (an exact match alone wins). */
function keywordMatches<C>(nodes: readonly CommandNode<C>[], prefix: string): CommandNode<C>[] {
    const p = prefix.toLowerCase();
    const exact = nodes.find((n) => !isArg(n) && n.word === p);
    if (exact !== undefined) return [exact];
    const all = nodes.filter((n) => !isArg(n) && n.word.startsWith(p));
    const preferred = all.filter((n) => n.preferred === true);
    return preferred.length === 1 ? preferred : all;
}

/** Result of resolving a line against the tree. */
export type Resolution<C> =
    | { kind: "ok"; node: CommandNode<C>; args: Record<string, string>; path: string[]; privileged: boolean }
    | { kind: "empty" }
    | { kind: "invalid"; at: number }
    | { kind: "ambiguous"; word: string; at: number }
    | { kind: "incomplete" };

/** Walks the tree along the words of `line`. */
export function resolve<C>(root: readonly CommandNode<C>[], line: string): Resolution<C> {
    const tokens = tokenize(line);
    if (tokens.length === 0) return { kind: "empty" };
    let level: readonly CommandNode<C>[] = root;
    let node: CommandNode<C> | null = null;
    const args: Record<string, string> = {};
    const path: string[] = [];
    let privileged = false;
    for (const t of tokens) {
        const kw = keywordMatches(level, t.text);
        if (kw.length > 1) return { kind: "ambiguous", word: t.text, at: t.at };
        const arg = level.find(isArg);
        const next = kw[0] ?? arg;
        if (next === undefined) return { kind: "invalid", at: t.at };
        if (kw[0] === undefined && arg !== undefined && arg.rest === true) {
            args[arg.word.slice(1, -1)] = line.slice(t.at).trim();
            path.push(arg.word);
            privileged ||= arg.privileged === true;
            node = arg;
            break;
        }
        if (kw[0] === undefined && arg !== undefined) args[arg.word.slice(1, -1)] = t.text;
        path.push(kw[0] === undefined ? t.text : next.word);
        privileged ||= next.privileged === true;
        node = next;
        level = next.children ?? [];
    }
    if (node === null || node.run === undefined) return { kind: "incomplete" };
    return { kind: "ok", node, args, path, privileged };
}

/** Which nodes a session may see (user mode: not the privileged ones). Default: all. */
export type Visible<C> = (node: CommandNode<C>) => boolean;

const ALL = (): boolean => true;

/** The level reached by all complete words of `line` (null when a word does not fit). */
function levelAfter<C>(root: readonly CommandNode<C>[], words: Token[], visible: Visible<C>): CommandNode<C>[] | null {
    let level: readonly CommandNode<C>[] = root.filter(visible);
    let node: CommandNode<C> | null = null;
    for (const t of words) {
        const kw = keywordMatches(level, t.text);
        const next = kw.length === 1 ? kw[0] : kw.length === 0 ? level.find(isArg) : undefined;
        if (next === undefined) return null;
        node = next;
        level = (next.children ?? []).filter(visible);
    }
    return node === null ? [...level] : [...level, ...(node.run !== undefined ? [CR as CommandNode<C>] : [])];
}

/** Pseudo node for "the command may end here". */
const CR: CommandNode<unknown> = { word: "<cr>", help: "" };

/** `?` help: the choices after the words typed (`show ?`), or the keywords a partial word may become (`sh?`). */
export function help<C>(
    root: readonly CommandNode<C>[],
    line: string,
    ctx: C,
    visible: Visible<C> = ALL,
): string[] | null {
    const tokens = tokenize(line);
    const partial = line.length > 0 && !/\s$/.test(line) ? tokens.pop() : undefined;
    const level = levelAfter(root, tokens, visible);
    if (level === null) return null;
    const shown = partial === undefined ? level : keywordMatches(level, partial.text);
    if (shown.length === 0) return null;
    const width = Math.max(...shown.map((n) => n.word.length));
    const out: string[] = [];
    for (const n of shown) {
        out.push(n.help === "" ? `  ${n.word}` : `  ${n.word.padEnd(width)}  ${n.help}`);
        if (isArg(n) && n.word !== "<cr>" && n.candidates !== undefined) {
            const c = n.candidates(ctx).slice(0, 20);
            if (c.length > 0) out.push(`  ${" ".repeat(width)}  (${c.join(", ")})`);
        }
    }
    return out;
}

/** Tab: the completed line when the last word has one completion, else the candidates (none: []). */
export function complete<C>(
    root: readonly CommandNode<C>[],
    line: string,
    ctx: C,
    visible: Visible<C> = ALL,
): { line: string } | { candidates: string[] } {
    const tokens = tokenize(line);
    const partial = !/\s$/.test(line) ? tokens.pop() : undefined;
    const level = levelAfter(root, tokens, visible);
    if (level === null) return { candidates: [] };
    const prefix = (partial?.text ?? "").toLowerCase();
    const words = new Set<string>();
    for (const n of level) {
        if (n.word === "<cr>") continue;
        if (!isArg(n)) words.add(n.word);
        else for (const c of n.candidates?.(ctx) ?? []) words.add(c);
    }
    const matches = [...words].filter((w) => w.toLowerCase().startsWith(prefix)).sort();
    if (matches.length === 1) {
        const base = partial === undefined ? line : line.slice(0, partial.at);
        return { line: `${base}${matches[0]} ` };
    }
    return { candidates: matches };
}
