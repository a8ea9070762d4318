import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { XsiSimError } from "./errors.js";
import { serializeXml, type XmlElement, type XmlNode } from "./xml.js";

/** Cisco's XSI schema, shipped in board/xsd (same relative path from src/sim/xsi and dist/sim/xsi). */
export const XSD_URL = new URL("../../../board/xsd/CiscoIPPhone.xsd", import.meta.url);

/** File-system path of the XSI schema. */
export function xsdPath(): string {
    return fileURLToPath(XSD_URL);
}

/** True when `xmllint` (Debian package libxml2-utils) can be run. */
export function hasXmllint(): boolean {
    const r = spawnSync("xmllint", ["--version"], { stdio: "ignore" });
    return r.error === undefined && r.status === 0;
}

/** Outcome of an XSD check: xmllint's messages when invalid. */
export interface SchemaResult {
    valid: boolean;
    errors: string[];
}

/**
 * Validates one XSI document against the schema with `xmllint --noout --schema`.
 * Throws XsiSimError XSI_XMLLINT_MISSING when xmllint cannot be started.
 */
export function validateXsi(xml: string, xsd: string = xsdPath()): Promise<SchemaResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("xmllint", ["--noout", "--nonet", "--schema", xsd, "-"], {
            stdio: ["pipe", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (d: string) => {
            stderr += d;
        });
        child.on("error", (err) => {
            reject(
                new XsiSimError(
                    "XSI_XMLLINT_MISSING",
                    "xmllint not found: install the Debian package libxml2-utils",
                    {},
                    { cause: err },
                ),
            );
        });
        child.on("close", (code) => {
            const errors = stderr
                .split("\n")
                .filter((l) => l.length > 0 && !l.endsWith("validates") && !l.endsWith("fails to validate"));
            resolve({ valid: code === 0, errors });
        });
        // xmllint may exit before reading everything (broken pipe): the exit code still tells.
        child.stdin.on("error", () => {});
        child.stdin.end(xml);
    });
}

const HEAD = ["Title", "Prompt", "SoftKeyItem", "KeyItem"];

/** Child order the XSD's xsd:sequence demands, per element name. */
const ORDER: Readonly<Record<string, readonly string[]>> = {
    CiscoIPPhoneText: [...HEAD, "Text"],
    CiscoIPPhoneMenu: [...HEAD, "MenuItem"],
    CiscoIPPhoneDirectory: [...HEAD, "DirectoryEntry"],
    CiscoIPPhoneInput: [...HEAD, "URL", "InputItem"],
    CiscoIPPhoneImage: [...HEAD, "LocationX", "LocationY", "Width", "Height", "Depth", "Data"],
    CiscoIPPhoneImageFile: [...HEAD, "LocationX", "LocationY", "URL"],
    CiscoIPPhoneIconMenu: [...HEAD, "MenuItem", "IconItem"],
    CiscoIPPhoneIconFileMenu: [...HEAD, "MenuItem", "IconItem"],
    CiscoIPPhoneGraphicMenu: [...HEAD, "LocationX", "LocationY", "Width", "Height", "Depth", "Data", "MenuItem"],
    CiscoIPPhoneGraphicFileMenu: [...HEAD, "LocationX", "LocationY", "URL", "MenuItem"],
    SoftKeyItem: ["Name", "Position", "URL", "URLDown"],
    KeyItem: ["Key", "URL", "URLDown"],
    MenuItem: ["Name", "URL", "IconIndex", "TouchArea"],
    InputItem: ["DisplayName", "QueryStringParam", "InputFlags", "DefaultValue"],
    DirectoryEntry: ["Name", "Telephone"],
    IconItem: ["Index", "Width", "Height", "Depth", "Data", "URL"],
};

/**
 * Copy of an XSI object with children put into schema order. Real 79xx phones accept Cisco's documented
 * order (Text before SoftKeyItem, Name/URL/Position), which the strict xsd:sequence rejects (reference §1.7),
 * so the simulator validates the reordered copy: order-tolerant like a phone, strict about everything else.
 */
export function toSchemaOrder(el: XmlElement): XmlElement {
    const order = Object.hasOwn(ORDER, el.name) ? ORDER[el.name] : undefined;
    const hasElements = el.children.some((c) => typeof c !== "string");
    let children: XmlNode[] = el.children.map((c) => (typeof c === "string" ? c : toSchemaOrder(c)));
    if (order !== undefined && hasElements) {
        // Whitespace between elements carries nothing in XSI objects; drop it so elements can move.
        children = children.filter((c) => typeof c !== "string" || c.trim().length > 0);
        const rank = (c: XmlNode): number => {
            if (typeof c === "string") return order.length;
            const i = order.indexOf(c.name);
            return i < 0 ? order.length : i;
        };
        children = children
            .map((c, i) => ({ c, i, r: rank(c) }))
            .sort((a, b) => a.r - b.r || a.i - b.i)
            .map((x) => x.c);
    }
    return { name: el.name, attrs: el.attrs, children };
}

/** Serialised schema-order copy, ready for validateXsi. */
export function schemaOrderedXml(el: XmlElement): string {
    return serializeXml(toSchemaOrder(el));
}
