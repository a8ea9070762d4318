/** Phone-facing building blocks of Call Back: dictionaries and locales, screens, XSI objects, push client. */
export * from "./charset.js";
export * from "./dictionary.js";
export * from "./errors.js";
export * from "./locale.js";
export * from "./phoneTime.js";
export * from "./push.js";
export * from "./screens.js";
export * from "./xmlParse.js";
export * from "./xsi.js";
