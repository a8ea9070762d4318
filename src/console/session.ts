/**
 * One console session over a byte stream (serial port, TCP socket, stdio): the line discipline of a raw
 * terminal (echo, editing keys, CR/LF/CRLF, escape sequences, garbage), login with lockout, privilege,
 * idle logout, `--More--` paging, and asynchronous lines printed without garbling the input line.
 */

import { type CommandNode, complete, help, resolve } from "./commandTree.js";
import { verifyPassword } from "./config.js";

/** Where a session writes, and how it ends. */
export interface SessionIo {
    write(text: string): void;
    /** Ends the transport (TCP, stdio); absent: the session goes back to the login prompt (serial). */
    close?(): void;
}

/** Session settings. */
export interface SessionOptions {
    hostname: string;
    passwordHash: string | null;
    /** null: the login password. */
    enablePasswordHash: string | null;
    idleTimeoutMs: number;
    maxFailures: number;
    lockoutMs: number;
    /** Longest input line (characters); more is refused with a bell. */
    maxLine?: number;
    /** Lines per page (0: no paging). */
    termLength?: number;
    banner?: string;
    /** Failed logins shared by the console's sessions; default: this session's own. */
    guard?: LoginGuard;
}

/**
 * Failed logins counted across every session of the console (serial, TCP, local shell): after
 * `maxFailures` wrong passwords in a row, logins are blocked for everyone for `lockoutMs` (IOS
 * `login block-for`), so opening a new TCP session does not buy an attacker new tries.
 */
export class LoginGuard {
    #failures = 0;
    #blockedUntil = 0;
    readonly #now: () => number;

    constructor(
        readonly maxFailures: number,
        readonly lockoutMs: number,
        now: () => number = Date.now,
    ) {
        this.#now = now;
    }

    /** Milliseconds logins stay blocked (0: not blocked). */
    blockedForMs(): number {
        return Math.max(0, this.#blockedUntil - this.#now());
    }

    /** Counts a wrong password; true when it starts a lockout. */
    fail(): boolean {
        if (++this.#failures < this.maxFailures) return false;
        this.#failures = 0;
        this.#blockedUntil = this.#now() + this.lockoutMs;
        return true;
    }

    /** A right password: the count starts again. */
    succeed(): void {
        this.#failures = 0;
    }
}

/** What commands may ask of their session. */
export interface SessionControl {
    readonly privileged: boolean;
    setPrivileged(on: boolean): void;
    setTermLength(n: number): void;
    logout(): void;
    /** Asks for the enable password (the next line is read without echo). */
    promptEnable(): void;
}

type Mode = "password" | "locked" | "exec" | "enable" | "more" | "closed";

const MAX_QUEUE = 1 << 20;
const MAX_NOTICES = 500;
const CSI_MAX = 16;
const HISTORY = 20;

/**
 * Text for the operator's terminal: C0 and C1 control characters and DEL become "?", so a device or line
 * name from the wire (or a forged SCCP stream) cannot send escape sequences to the terminal.
 */
export function printable(text: string): string {
    let out: string | null = null;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            out ??= text.slice(0, i);
            out += "?";
        } else if (out !== null) out += text.charAt(i);
    }
    return out ?? text;
}

/** A console session; feed it bytes, it writes CRLF text. */
export class ConsoleSession<C> {
    readonly #tree: readonly CommandNode<C>[];
    readonly #ctx: (s: ConsoleSession<C>) => C;
    readonly #io: SessionIo;
    readonly #o: Required<Omit<SessionOptions, "banner" | "guard">> & { banner: string };
    readonly #guard: LoginGuard;
    #mode: Mode = "password";
    #line = "";
    #out = "";
    #busy = false;
    readonly #queue: Uint8Array[] = [];
    #queued = 0;
    #qpos = 0;
    #lastCr = false;
    #esc = 0;
    #csi = "";
    readonly #history: string[] = [];
    #hpos = 0;
    #lockTimer: NodeJS.Timeout | null = null;
    #idleTimer: NodeJS.Timeout | null = null;
    #privileged = false;
    #termLength: number;
    #more: string[] = [];
    readonly #notices: string[] = [];
    /** Counters (tests, `show users`). */
    readonly stats = { commands: 0, errors: 0, dropped: 0, logins: 0, failures: 0 };

    constructor(tree: readonly CommandNode<C>[], ctx: (s: ConsoleSession<C>) => C, io: SessionIo, o: SessionOptions) {
        this.#tree = tree;
        this.#ctx = ctx;
        this.#io = io;
        const { guard, ...rest } = o;
        this.#o = { maxLine: 256, termLength: 24, banner: "", ...rest };
        this.#guard = guard ?? new LoginGuard(o.maxFailures, o.lockoutMs);
        this.#termLength = this.#o.termLength;
    }

    /** Prints the banner and the password prompt. */
    start(): void {
        if (this.#o.banner !== "") this.#emit(`\r\n${this.#o.banner}\r\n`);
        this.#emit("\r\nPassword: ");
        this.#flush();
        this.#touch();
    }

    get privileged(): boolean {
        return this.#privileged;
    }

    get loggedIn(): boolean {
        return this.#mode === "exec" || this.#mode === "more" || this.#mode === "enable";
    }

    /** What commands see of the session. */
    readonly control: SessionControl & { privileged: boolean } = {
        privileged: false,
        setPrivileged: (on) => {
            this.#setPrivileged(on);
        },
        setTermLength: (n) => {
            this.#termLength = n;
        },
        logout: () => this.#logout("\r\n"),
        promptEnable: () => {
            this.#mode = "enable";
        },
    };

    /** Input bytes from the transport. Never throws; excess input while a command runs is dropped. */
    feed(data: Uint8Array): void {
        if (this.#mode === "closed") return;
        this.#touch();
        if (this.#queued + data.length > MAX_QUEUE) {
            this.stats.dropped += data.length;
            return;
        }
        this.#queue.push(data);
        this.#queued += data.length;
        this.#pump();
    }

    /** An asynchronous line (debug trace, alarm): printed above the input line, as IOS `logging synchronous`. */
    notify(line: string): void {
        if (!this.loggedIn) return;
        const text = printable(line);
        if (this.#busy || this.#mode !== "exec") {
            if (this.#notices.length < MAX_NOTICES) this.#notices.push(text);
            return;
        }
        this.#emit(`\r\x1b[K${text}\r\n${this.#prompt()}${this.#line}`);
        this.#flush();
    }

    /** Ends the session (transport gone); timers stop. */
    close(): void {
        this.#mode = "closed";
        if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
        if (this.#lockTimer !== null) clearTimeout(this.#lockTimer);
        this.#idleTimer = this.#lockTimer = null;
    }

    #isOpen(): boolean {
        return this.#mode !== "closed";
    }

    /** User mode lists and completes only what it may run (IOS hides the privileged commands too). */
    readonly #visible = (n: CommandNode<C>): boolean => this.#privileged || n.privileged !== true;

    #setPrivileged(on: boolean): void {
        this.#privileged = on;
        this.control.privileged = on;
    }

    #prompt(): string {
        return `${this.#o.hostname}${this.#privileged ? "#" : ">"}`;
    }

    #emit(s: string): void {
        this.#out += s;
    }

    #flush(): void {
        if (this.#out === "") return;
        const s = this.#out;
        this.#out = "";
        this.#io.write(s);
    }

    #touch(): void {
        if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
        this.#idleTimer = setTimeout(() => this.#onIdle(), this.#o.idleTimeoutMs);
        this.#idleTimer.unref();
    }

    #onIdle(): void {
        this.#idleTimer = null;
        if (this.#mode === "closed") return;
        if (this.loggedIn) this.#logout("\r\n% Session timed out\r\n");
        else this.#touch();
    }

    #logout(msg: string): void {
        this.#setPrivileged(false);
        this.#line = "";
        this.#more = [];
        this.#notices.length = 0;
        this.#emit(msg);
        if (this.#io.close !== undefined) {
            this.#flush();
            this.close();
            this.#io.close();
            return;
        }
        this.#mode = "password";
        this.#emit("\r\nPassword: ");
        this.#flush();
    }

    #pump(): void {
        while (!this.#busy && this.#queue.length > 0 && this.#isOpen()) {
            const chunk = this.#queue[0] as Uint8Array;
            while (this.#qpos < chunk.length && !this.#busy && this.#isOpen()) {
                this.#byte(chunk[this.#qpos++] as number);
            }
            if (this.#qpos >= chunk.length) {
                this.#queue.shift();
                this.#queued -= chunk.length;
                this.#qpos = 0;
            }
        }
        this.#flush();
    }

    #byte(b: number): void {
        const cr = this.#lastCr;
        this.#lastCr = b === 0x0d;
        if (this.#esc !== 0) {
            this.#escape(b);
            return;
        }
        if (this.#mode === "locked") return;
        if (this.#mode === "more") {
            if (b !== 0x0a || !cr) this.#moreKey(b);
            return;
        }
        const secret = this.#mode === "password" || this.#mode === "enable";
        switch (b) {
            case 0x0d:
                this.#enter();
                return;
            case 0x0a:
                if (!cr) this.#enter();
                return;
            case 0x1b:
                this.#esc = 1;
                return;
            case 0x7f:
            case 0x08:
                if (this.#line.length > 0) {
                    this.#line = this.#line.slice(0, -1);
                    if (!secret) this.#emit("\b \b");
                }
                return;
            case 0x03:
                this.#line = "";
                this.#emit("^C\r\n");
                if (this.#mode === "enable") this.#mode = "exec";
                this.#emit(this.#mode === "password" ? "Password: " : this.#prompt());
                return;
            case 0x15:
                this.#line = "";
                if (!secret) this.#emit(`\r\x1b[K${this.#prompt()}`);
                return;
            case 0x17:
                if (!secret) this.#replaceLine(this.#line.replace(/\S*\s*$/, ""));
                else this.#line = "";
                return;
            case 0x0c:
                if (!secret) this.#emit(`\x1b[2J\x1b[H${this.#prompt()}${this.#line}`);
                return;
            case 0x09:
                if (!secret) this.#tab();
                return;
            case 0x10:
                if (!secret) this.#recall(-1);
                return;
            case 0x0e:
                if (!secret) this.#recall(1);
                return;
            case 0x3f:
                if (!secret) {
                    this.#help();
                    return;
                }
                break;
        }
        if (b < 0x20 || b > 0x7e) return; // other control bytes and 8-bit garbage
        if (this.#line.length >= this.#o.maxLine) {
            this.#emit("\x07");
            return;
        }
        const ch = String.fromCharCode(b);
        this.#line += ch;
        if (!secret) this.#emit(ch);
    }

    /** ESC [ … final: arrows for history; anything else is ignored. */
    #escape(b: number): void {
        if (this.#esc === 1) {
            // ESC [ … (CSI) or ESC O x (SS3, e.g. keypad keys); any other byte ends the sequence.
            this.#esc = b === 0x5b ? 2 : b === 0x4f ? 3 : 0;
            this.#csi = "";
            return;
        }
        if (this.#esc === 3) {
            this.#esc = 0;
            return;
        }
        if (b >= 0x40 && b <= 0x7e) {
            this.#esc = 0;
            if (this.#mode !== "exec" || this.#csi !== "") return;
            if (b === 0x41) this.#recall(-1);
            else if (b === 0x42) this.#recall(1);
            return;
        }
        // Parameter bytes; an overlong sequence is swallowed up to its final byte.
        if (this.#csi.length < CSI_MAX) this.#csi += String.fromCharCode(b);
    }

    #replaceLine(text: string): void {
        this.#line = text;
        this.#emit(`\r\x1b[K${this.#prompt()}${text}`);
    }

    #recall(dir: -1 | 1): void {
        if (this.#mode !== "exec") return;
        const i = this.#hpos + dir;
        if (i < 0 || i > this.#history.length) {
            this.#emit("\x07");
            return;
        }
        this.#hpos = i;
        this.#replaceLine(this.#history[i] ?? "");
    }

    #tab(): void {
        const r = complete(this.#tree, this.#line, this.#ctx(this), this.#visible);
        if ("line" in r) {
            if (r.line.length <= this.#o.maxLine) this.#replaceLine(r.line);
            return;
        }
        if (r.candidates.length === 0) {
            this.#emit("\x07");
            return;
        }
        this.#emit(`\r\n${r.candidates.join("  ")}\r\n${this.#prompt()}${this.#line}`);
    }

    #help(): void {
        const lines = help(this.#tree, this.#line, this.#ctx(this), this.#visible);
        this.#emit("?\r\n");
        if (lines === null) this.#emit("% Unrecognized command\r\n");
        else for (const l of lines) this.#emit(`${l}\r\n`);
        this.#emit(`\r\n${this.#prompt()}${this.#line}`);
    }

    #enter(): void {
        const line = this.#line;
        this.#line = "";
        if (this.#mode === "password") {
            this.#login(line);
            return;
        }
        if (this.#mode === "enable") {
            this.#emit("\r\n");
            const hash = this.#o.enablePasswordHash ?? this.#o.passwordHash;
            if (verifyPassword(line, hash)) this.#setPrivileged(true);
            else this.#emit("% Bad secret\r\n");
            this.#mode = "exec";
            this.#emit(`\r\n${this.#prompt()}`);
            return;
        }
        this.#emit("\r\n");
        if (line.trim() !== "") {
            if (this.#history[this.#history.length - 1] !== line) this.#history.push(line);
            if (this.#history.length > HISTORY) this.#history.shift();
        }
        this.#hpos = this.#history.length;
        this.#execute(line);
    }

    #login(password: string): void {
        this.#emit("\r\n");
        // Enter on an empty line wakes the console up (what an operator does first): not a failure.
        if (password === "") {
            this.#emit("Password: ");
            return;
        }
        const blocked = this.#guard.blockedForMs();
        if (blocked > 0) {
            // Blocked for every session: the password is not even checked.
            this.#emit(
                `% Login blocked for ${Math.ceil(blocked / 1000)} more seconds: too many failures\r\n\r\nPassword: `,
            );
            return;
        }
        if (verifyPassword(password, this.#o.passwordHash)) {
            this.#guard.succeed();
            this.stats.logins++;
            this.#mode = "exec";
            this.#setPrivileged(false);
            this.#emit(`\r\n${this.#prompt()}`);
            return;
        }
        this.stats.failures++;
        if (!this.#guard.fail()) {
            this.#emit("% Login invalid\r\n\r\nPassword: ");
            return;
        }
        this.#mode = "locked";
        const s = Math.ceil(this.#o.lockoutMs / 1000);
        this.#emit(`% Login invalid\r\n% Too many failures: locked for ${s} seconds\r\n`);
        this.#lockTimer = setTimeout(() => {
            this.#lockTimer = null;
            if (this.#mode !== "locked") return;
            this.#mode = "password";
            this.#emit("\r\nPassword: ");
            this.#flush();
        }, this.#o.lockoutMs);
        this.#lockTimer.unref();
    }

    #execute(line: string): void {
        const r = resolve(this.#tree, line);
        switch (r.kind) {
            case "empty":
                this.#emit(this.#prompt());
                return;
            case "invalid":
                this.stats.errors++;
                this.#emit(
                    `${" ".repeat(this.#prompt().length + r.at)}^\r\n% Invalid input detected at '^' marker.\r\n\r\n${this.#prompt()}`,
                );
                return;
            case "ambiguous":
                this.stats.errors++;
                this.#emit(`% Ambiguous command:  "${line.trim()}"\r\n${this.#prompt()}`);
                return;
            case "incomplete":
                this.stats.errors++;
                this.#emit(`% Incomplete command.\r\n\r\n${this.#prompt()}`);
                return;
        }
        if (r.privileged && !this.#privileged) {
            this.stats.errors++;
            this.#emit(`% Privileged command: use "enable" first\r\n\r\n${this.#prompt()}`);
            return;
        }
        this.stats.commands++;
        const run = r.node.run;
        if (run === undefined) return;
        this.#busy = true;
        let result: string[] | Promise<string[]>;
        try {
            result = run(this.#ctx(this), r.args);
        } catch (err) {
            result = [`% ${(err as Error).message}`];
        }
        Promise.resolve(result).then(
            (lines) => this.#done(lines),
            (err: unknown) => this.#done([`% ${err instanceof Error ? err.message : String(err)}`]),
        );
        this.#flush();
    }

    #done(lines: string[]): void {
        this.#busy = false;
        if (this.#mode === "closed") return;
        if (this.#mode === "password") {
            this.#pump();
            return;
        }
        if (this.#mode === "enable") {
            this.#emit("Password: ");
            this.#pump();
            return;
        }
        this.#page(lines.map(printable));
        this.#pump();
    }

    #page(lines: string[]): void {
        const n = this.#termLength;
        if (n > 0 && lines.length > n - 1) {
            for (const l of lines.slice(0, n - 1)) this.#emit(`${l}\r\n`);
            this.#more = lines.slice(n - 1);
            this.#mode = "more";
            this.#emit(" --More-- ");
            return;
        }
        for (const l of lines) this.#emit(`${l}\r\n`);
        this.#endOutput();
    }

    #endOutput(): void {
        this.#mode = "exec";
        for (const t of this.#notices.splice(0)) this.#emit(`${t}\r\n`);
        this.#emit(`\r\n${this.#prompt()}`);
    }

    #moreKey(b: number): void {
        this.#emit("\r\x1b[K");
        const rest = this.#more;
        if (b === 0x71 || b === 0x51 || b === 0x03) {
            this.#more = [];
            this.#endOutput();
            return;
        }
        const count = b === 0x0d || b === 0x0a ? 1 : Math.max(1, this.#termLength - 1);
        this.#more = [];
        if (b === 0x0d || b === 0x0a || b === 0x20) {
            for (const l of rest.slice(0, count)) this.#emit(`${l}\r\n`);
            this.#more = rest.slice(count);
        } else {
            this.#more = rest;
        }
        if (this.#more.length === 0) this.#endOutput();
        else this.#emit(" --More-- ");
    }
}
