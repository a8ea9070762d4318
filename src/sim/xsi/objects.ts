/**
 * XSI objects as a 79xx sees them: ExecuteItems, internal URIs, displayable objects turned into screens,
 * and the phone's answers (CiscoIPPhoneResponse / CiscoIPPhoneError).
 */

import type { Screen, ScreenItem, ScreenKind, SoftKey } from "./types.js";
import { childElements, childText, escapeXml, type XmlElement } from "./xml.js";

/** CiscoIPPhoneError numbers (reference §1.4; 6 observed with `Expect: 100-continue`). */
export const XsiError = {
    /** Error parsing the CiscoIPPhoneExecute object (bad XML, wrong form field, schema, item rules, size). */
    Parse: 1,
    /** Error framing the CiscoIPPhoneResponse object. */
    Framing: 2,
    /** Internal file error (the simulator: a `Play:` clip that cannot be found). */
    File: 3,
    /** Authentication error. */
    Auth: 4,
    /** Not in Cisco's list; answered to `Expect: 100-continue`. */
    ExpectContinue: 6,
} as const;

/** One ResponseItem: Status (0 = success), Data (≤32 chars) and the URL echoed from the request. */
export interface ResponseItem {
    status: number;
    data: string;
    url: string;
}

/**
 * Per-item answers. "Success" with Status 0 is what 79xx phones report for an executed item. Items held for
 * idle (Priority 1) or dropped while busy (Priority 2) are also reported as accepted: the phone answers at
 * dispatch time [unverified]. Unsupported URIs get Status 6 "Internal error" as later XSI releases document.
 */
export const ItemAnswer = {
    success: (url: string): ResponseItem => ({ status: 0, data: "Success", url }),
    unsupported: (url: string): ResponseItem => ({ status: 6, data: "Internal error", url }),
} as const;

/** Body of a CiscoIPPhoneResponse. */
export function responseXml(items: readonly ResponseItem[]): string {
    let s = '<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneResponse>\n';
    for (const it of items)
        s += `<ResponseItem Status="${it.status}" Data="${escapeXml(it.data)}" URL="${escapeXml(it.url)}"/>\n`;
    return `${s}</CiscoIPPhoneResponse>\n`;
}

/** Body of a CiscoIPPhoneError. */
export function errorXml(n: number): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneError Number="${n}"/>\n`;
}

/** ExecuteItem attributes. Priority defaults to 0; NaN when the attribute is not a 0..2 integer. */
export interface ExecuteItemSpec {
    url: string;
    priority: number;
}

/** ExecuteItems of a CiscoIPPhoneExecute. */
export function executeItems(root: XmlElement): ExecuteItemSpec[] {
    return childElements(root, "ExecuteItem").map((el) => {
        const p = el.attrs.get("Priority");
        const priority = p === undefined ? 0 : /^\s*[0-2]\s*$/.test(p) ? Number(p) : Number.NaN;
        return { url: el.attrs.get("URL") ?? "", priority };
    });
}

/** Scheme of an ExecuteItem URL or softkey URL: "http", "https", an internal URI name (Play, Dial …) or "". */
export function uriScheme(url: string): string {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
    if (m === null) return "";
    const s = m[1]!;
    const lower = s.toLowerCase();
    return lower === "http" || lower === "https" ? lower : s;
}

/**
 * Checks the object-level rules the schema cannot express: 1..3 items, URL 1..256 chars, Priority 0..2, and
 * "one URL and two URIs, or three URIs". Returns a message for the first broken rule.
 */
export function executeRuleViolation(items: readonly ExecuteItemSpec[]): string | undefined {
    if (items.length === 0) return "no ExecuteItem";
    if (items.length > 3) return `${items.length} ExecuteItems (at most 3)`;
    let urls = 0;
    for (const it of items) {
        if (it.url.length === 0 || it.url.length > 256) return "ExecuteItem URL must be 1..256 characters";
        if (Number.isNaN(it.priority)) return "Priority must be 0, 1 or 2";
        const s = uriScheme(it.url);
        if (s === "http" || s === "https") urls++;
    }
    if (urls > 1) return `${urls} HTTP URLs (at most one URL with two URIs)`;
    return undefined;
}

const DISPLAYABLE: Readonly<Record<string, ScreenKind>> = {
    CiscoIPPhoneText: "text",
    CiscoIPPhoneMenu: "menu",
    CiscoIPPhoneIconMenu: "menu",
    CiscoIPPhoneIconFileMenu: "menu",
    CiscoIPPhoneGraphicMenu: "menu",
    CiscoIPPhoneGraphicFileMenu: "menu",
    CiscoIPPhoneDirectory: "directory",
    CiscoIPPhoneInput: "input",
    CiscoIPPhoneImage: "other",
    CiscoIPPhoneImageFile: "other",
    CiscoIPPhoneStatus: "other",
    CiscoIPPhoneStatusFile: "other",
};

/** True for objects the phone displays (as opposed to Execute, Response, Error). */
export function isDisplayable(name: string): boolean {
    return Object.hasOwn(DISPLAYABLE, name);
}

const sk = (name: string, position: number): SoftKey => ({ name, position, url: `SoftKey:${name}` });

/** Built-in softkeys when an object carries no SoftKeyItem [unverified: per Cisco XSI notes, from memory]. */
const DEFAULT_SOFTKEYS: Readonly<Record<ScreenKind, readonly SoftKey[]>> = {
    text: [sk("Update", 2), sk("Exit", 3)],
    menu: [sk("Select", 1), sk("Exit", 3)],
    directory: [sk("Dial", 1), sk("EditDial", 2), sk("Exit", 3)],
    input: [sk("Submit", 1), sk("<<", 2), sk("Cancel", 3)],
    other: [sk("Exit", 3)],
    error: [sk("Exit", 3)],
};

/** Screen for a displayable XSI object (children read in any order, as phones do). */
export function toScreen(
    root: XmlElement,
    source: Screen["source"],
    at: number,
    url: string | undefined,
): Screen | undefined {
    if (!isDisplayable(root.name)) return undefined;
    const kind = DISPLAYABLE[root.name]!;
    const softKeys: SoftKey[] = childElements(root, "SoftKeyItem").map((el, i) => {
        const pos = Number.parseInt(childText(el, "Position") ?? "", 10);
        const key: SoftKey = {
            name: childText(el, "Name") ?? "",
            position: Number.isFinite(pos) ? pos : i + 1,
            url: (childText(el, "URL") ?? "").trim(),
        };
        const down = childText(el, "URLDown");
        if (down !== undefined) key.urlDown = down.trim();
        return key;
    });
    softKeys.sort((a, b) => a.position - b.position);
    const items: ScreenItem[] = [];
    for (const el of childElements(root, "MenuItem"))
        items.push({ name: childText(el, "Name") ?? "", value: (childText(el, "URL") ?? "").trim() });
    for (const el of childElements(root, "DirectoryEntry"))
        items.push({ name: childText(el, "Name") ?? "", value: (childText(el, "Telephone") ?? "").trim() });
    for (const el of childElements(root, "InputItem"))
        items.push({ name: childText(el, "DisplayName") ?? "", value: childText(el, "DefaultValue") ?? "" });
    const screen: Screen = {
        at,
        kind,
        object: root.name,
        source,
        title: childText(root, "Title") ?? "",
        prompt: childText(root, "Prompt") ?? "",
        text: childText(root, "Text") ?? "",
        softKeys: softKeys.length > 0 ? softKeys : DEFAULT_SOFTKEYS[kind].map((k) => ({ ...k })),
        defaultSoftKeys: softKeys.length === 0,
        items,
    };
    if (url !== undefined) screen.url = url;
    return screen;
}

/** The phone's own message screen (host not found, HTTP error, parse error …). */
export function errorScreen(message: string, at: number, url: string | undefined): Screen {
    const screen: Screen = {
        at,
        kind: "error",
        object: "",
        source: "pull",
        title: "",
        prompt: "",
        text: message,
        softKeys: DEFAULT_SOFTKEYS.error.map((k) => ({ ...k })),
        defaultSoftKeys: true,
        items: [],
    };
    if (url !== undefined) screen.url = url;
    return screen;
}
