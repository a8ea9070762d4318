/**
 * First boot on a headless Pi: a `callbackd.json` put on the boot partition (the FAT partition a PC can write,
 * like Raspberry Pi OS's `ssh` and `userconf.txt`) becomes /etc/callbackd/config.json at the next start.
 *
 * Run by the unit as a privileged ExecStartPre (the service itself may neither write /etc nor touch /boot).
 * The rules, as an appliance should behave:
 * - the first candidate that exists is used (/boot/firmware on bookworm, /boot on older images);
 * - it is validated exactly as `callbackd run` will load it (schema, no environment overrides); an invalid
 *   file is left where it is, the error is logged at every start until it is fixed, and the service starts
 *   with the configuration it had;
 * - a valid file replaces the whole configuration (no merge): written beside the target, fsync'd, renamed
 *   over it with the target's owner and mode (root:callbackd 0640: it holds the push password); the
 *   configuration it replaces is kept as `config.json.bak`;
 * - then the file is removed from the boot partition (a readable FAT partition is no place for a password).
 *   A power cut between the rename and the removal is harmless: a boot file equal to the target is only
 *   removed, not imported twice.
 */
import {
    chmodSync,
    chownSync,
    closeSync,
    fsyncSync,
    linkSync,
    openSync,
    readFileSync,
    renameSync,
    rmSync,
    statSync,
    unlinkSync,
    writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { loadConfig } from "../config/load.js";
import { describeError } from "../errors.js";

/** Where an operator puts the file: Raspberry Pi OS bookworm mounts the boot partition on /boot/firmware. */
export const BOOT_CONFIG_FILES: readonly string[] = ["/boot/firmware/callbackd.json", "/boot/callbackd.json"];

/** The configuration file the unit runs with. */
export const DEFAULT_CONFIG_FILE = "/etc/callbackd/config.json";

/** What happened; every outcome is logged by the caller. */
export type BootConfigOutcome =
    /** No file on the boot partition (the normal start). */
    | { kind: "none" }
    /** Validated, moved into place; `backup` is where the replaced configuration went. */
    | { kind: "moved"; from: string; to: string; backup: string | null; removed: boolean; removeError?: string }
    /** Already in place (a start interrupted after the rename): only removed from the boot partition. */
    | { kind: "already"; from: string; to: string; removed: boolean; removeError?: string }
    /** Not valid: left on the boot partition, the configuration untouched. */
    | { kind: "invalid"; from: string; code: string; message: string }
    /** Valid, but it could not be written (read-only /etc, no such directory …): configuration untouched. */
    | { kind: "failed"; from: string; to: string; code: string; message: string };

/** Inputs of importBootConfig. */
export interface BootConfigOptions {
    /** Candidates in order of preference (default BOOT_CONFIG_FILES). */
    from?: readonly string[];
    /** The configuration file (default /etc/callbackd/config.json). */
    to?: string;
    /** Whether to give the new file the target's owner (needs root; default: when running as root). */
    chown?: boolean;
    /** Removes the boot file (tests: a read-only boot partition); default unlink and sync the directory. */
    remove?: (file: string) => void;
}

/** Syncs a directory so a rename or unlink in it survives a power cut. */
function syncDir(dir: string): void {
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/** Removes the boot file; a failure (read-only partition) is reported, not thrown. */
function removeBootFile(file: string, remove: (file: string) => void): { removed: boolean; removeError?: string } {
    try {
        remove(file);
        return { removed: true };
    } catch (err) {
        return { removed: false, removeError: describeError(err).message };
    }
}

/** Moves a valid boot-partition configuration into place (see the module comment for the rules). */
export function importBootConfig(opts: BootConfigOptions = {}): BootConfigOutcome {
    const to = opts.to ?? DEFAULT_CONFIG_FILE;
    const remove =
        opts.remove ??
        ((file: string) => {
            unlinkSync(file);
            syncDir(dirname(file));
        });
    const from = (opts.from ?? BOOT_CONFIG_FILES).find((f) => {
        try {
            return statSync(f).isFile();
        } catch {
            return false;
        }
    });
    if (from === undefined) return { kind: "none" };

    let bytes: Buffer;
    try {
        bytes = readFileSync(from);
        // Validated as `run` loads it: the file alone, no CALLBACKD_* environment of this process.
        loadConfig({ file: from, env: {} });
    } catch (err) {
        const e = describeError(err);
        return { kind: "invalid", from, code: e.code, message: e.message };
    }

    let current: Buffer | null = null;
    try {
        current = readFileSync(to);
    } catch {
        // No configuration yet (or unreadable): the boot file becomes the first one.
    }
    if (current?.equals(bytes)) return { kind: "already", from, to, ...removeBootFile(from, remove) };

    const tmp = join(dirname(to), `.${basename(to)}.boot-${process.pid}`);
    const backup = current === null ? null : `${to}.bak`;
    try {
        // The new file gets the old one's owner and mode, else root and the directory's group, 0640.
        const like = current === null ? null : statSync(to);
        const dirGroup = statSync(dirname(to)).gid;
        const fd = openSync(tmp, "w", 0o600);
        try {
            writeSync(fd, bytes);
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        const chown = opts.chown ?? process.getuid?.() === 0;
        if (chown) chownSync(tmp, like?.uid ?? 0, like?.gid ?? dirGroup);
        chmodSync(tmp, like === null ? 0o640 : like.mode & 0o777);
        if (backup !== null) {
            rmSync(backup, { force: true });
            linkSync(to, backup);
        }
        renameSync(tmp, to);
        syncDir(dirname(to));
    } catch (err) {
        rmSync(tmp, { force: true });
        const e = describeError(err);
        return { kind: "failed", from, to, code: (err as NodeJS.ErrnoException).code ?? e.code, message: e.message };
    }
    return { kind: "moved", from, to, backup, ...removeBootFile(from, remove) };
}

/** One log line: a syslog priority (3 error, 4 warning, 5 notice, 6 info) and the text. */
export interface BootConfigLine {
    priority: 3 | 4 | 5 | 6;
    text: string;
}

/** The lines an outcome is logged with (nothing for the normal start without a boot file). */
export function describeBootConfig(o: BootConfigOutcome): BootConfigLine[] {
    const removal = (r: { removed: boolean; removeError?: string }, from: string): BootConfigLine[] =>
        r.removed
            ? []
            : [
                  {
                      priority: 4,
                      text: `could not remove ${from} (${r.removeError}): delete it, it holds the configuration`,
                  },
              ];
    switch (o.kind) {
        case "none":
            return [];
        case "moved":
            return [
                {
                    priority: 5,
                    text: `moved ${o.from} to ${o.to}${o.backup === null ? "" : ` (the previous configuration is in ${o.backup})`}`,
                },
                ...removal(o, o.from),
            ];
        case "already":
            return [
                { priority: 5, text: `${o.from} is already ${o.to}: removed from the boot partition` },
                ...removal(o, o.from),
            ];
        case "invalid":
            return [
                {
                    priority: 3,
                    text: `${o.from} is not a valid configuration and was not applied (${o.code}: ${o.message}); starting with the current configuration; fix or delete the file`,
                },
            ];
        case "failed":
            return [
                {
                    priority: 3,
                    text: `${o.from} is valid but could not be written to ${o.to} (${o.code}: ${o.message}); starting with the current configuration`,
                },
            ];
    }
}
