/** Drop the one DEP0111 warning restify's spdy prints (process.binding('http_parser')); see warnings.js. */
export function quietSpdyWarning(): void;
