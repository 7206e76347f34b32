// restify 11 loads spdy (for HTTP/2 servers this bot never creates), and spdy's http-deceiver calls
// process.binding('http_parser') as it loads: Node prints DEP0111 in every process that loads restify.
// It is harmless here, and cannot be fixed in the dependency: restify 12, which drops spdy, needs
// Node 22. So exactly that warning is dropped (DEP0111 about http_parser); every other warning,
// including DEP0111 for any other binding, still prints.

/** Install the filter once per process (the CLI's entry and the test workers call it). */
export function quietSpdyWarning() {
  if (process.emitWarning.quietSpdy) return;
  const emitWarning = process.emitWarning;
  const filtered = (warning, ...rest) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
    if (code === 'DEP0111' && String(warning?.message ?? warning).includes("process.binding('http_parser')")) return;
    return emitWarning.call(process, warning, ...rest);
  };
  filtered.quietSpdy = true;
  process.emitWarning = filtered;
}
