// Every test worker: the one known, harmless deprecation restify's spdy prints (DEP0111 about
// process.binding('http_parser'), see bin/warnings.js) is dropped, as the CLI drops it.
import { quietSpdyWarning } from '../bin/warnings.js';

quietSpdyWarning();
