// Stands in for the text-encoding polyfill that shapefile requires: Node's own TextDecoder
// (full ICU) decodes the same labels (utf-8, windows-1252, iso-8859-*, ...).
module.exports = { TextDecoder: globalThis.TextDecoder, TextEncoder: globalThis.TextEncoder };
