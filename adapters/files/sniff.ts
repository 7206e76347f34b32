/**
 * What a file really is, from its first bytes (magic numbers), not from what the platform, the server
 * or the file name says: a JPEG pasted into Teams is announced as `image/*` and stored as a PNG, a
 * sign-in page comes back as `image/png`, `scherm.png` may hold anything.
 */

/** A type recognised from the bytes, with the extension its files carry. */
export interface Sniffed {
  type: string;
  ext: string;
}

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

const SIGNATURES: { test: (b: Uint8Array) => boolean; type: string; ext: string }[] = [
  { test: (b) => ascii(b, 0, '\x89PNG\r\n\x1a\n'), type: 'image/png', ext: 'png' },
  { test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, type: 'image/jpeg', ext: 'jpg' },
  { test: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a'), type: 'image/gif', ext: 'gif' },
  { test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP'), type: 'image/webp', ext: 'webp' },
  // BMP: "BM", the file size, then two reserved words that are zero.
  {
    test: (b) => ascii(b, 0, 'BM') && b.length >= 26 && [6, 7, 8, 9].every((i) => b[i] === 0),
    type: 'image/bmp',
    ext: 'bmp',
  },
  { test: (b) => ascii(b, 0, 'II*\x00') || ascii(b, 0, 'MM\x00*'), type: 'image/tiff', ext: 'tif' },
  {
    test: (b) =>
      ascii(b, 4, 'ftyp') && ['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].some((brand) => ascii(b, 8, brand)),
    type: 'image/heic',
    ext: 'heic',
  },
  { test: (b) => ascii(b, 0, '%PDF-'), type: 'application/pdf', ext: 'pdf' },
  // Office documents (docx, xlsx...) and other archives are zip files.
  { test: (b) => ascii(b, 0, 'PK\x03\x04'), type: 'application/zip', ext: 'zip' },
];

/** The start of a web page or an SVG (which can hold scripts), after a byte order mark and white space. */
function markup(bytes: Uint8Array): Sniffed | null {
  const head = Buffer.from(bytes.subarray(0, 512))
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .trimStart()
    .toLowerCase();
  if (/^<(!doctype html|html|head|body|script|iframe|meta|title|!--)/.test(head))
    return { type: 'text/html', ext: 'html' };
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(head))
    return { type: 'image/svg+xml', ext: 'svg' };
  return null;
}

/** The type the bytes show, or null when they match no known signature (text, unknown formats). */
export function sniff(bytes: Uint8Array): Sniffed | null {
  const found = SIGNATURES.find((s) => s.test(bytes));
  return found ? { type: found.type, ext: found.ext } : markup(bytes);
}

/** Extensions of the types {@link sniff} knows, for names that claim one. */
const EXTENSIONS: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  pdf: 'application/pdf',
};

function extensionOf(name: string): string | null {
  const m = /\.([a-z0-9]{1,8})$/i.exec(name);
  return m ? m[1]!.toLowerCase() : null;
}

/** What a file is taken as: its type, its name, and whether its bytes go with the ticket. */
export interface FileVerdict {
  contentType: string;
  name: string;
  /** False when the bytes are not what the file claims to be (an image, a PDF): named only. */
  keep: boolean;
  /** Why the bytes were not kept, for the log. */
  mismatch?: string;
}

/** Types whose files a viewer opens without a second look: their bytes must be what they claim. */
function trusted(type: string | null): boolean {
  return !!type && (type.startsWith('image/') || type === 'application/pdf');
}

/**
 * Decide a downloaded file's type and name from its bytes. `declared` is what the platform or server
 * said (`image/*` is fine), `name` the file's name when it has one, `unnamed(ext)` the name to give a
 * file without one (a pasted screenshot) once its extension is known.
 *
 * - bytes of a known type: that type, and a name whose extension says it (`image-1.jpg`, not `.png`);
 * - bytes that are not the image or PDF the platform, server or name claims (a web page served as
 *   `image/png`, an SVG, unknown bytes named `.png`): not kept, the file is named only;
 * - anything else (text, office documents, archives): the declared type.
 */
export function judgeFile(input: {
  bytes: Uint8Array;
  declared: string | null;
  name: string | null;
  unnamed: (ext: string | null) => string;
}): FileVerdict {
  const declared = input.declared?.split(';')[0]?.trim().toLowerCase() || null;
  const nameExt = input.name ? extensionOf(input.name) : null;
  const claimed = trusted(declared) ? declared : nameExt ? (EXTENSIONS[nameExt] ?? null) : null;
  const found = sniff(input.bytes);
  const image = found?.type.startsWith('image/') && found.type !== 'image/svg+xml';
  const real = found && (image || found.type === 'application/pdf') ? found : null;
  if (trusted(claimed) && !real) {
    return {
      contentType: 'application/octet-stream',
      name: input.name ?? input.unnamed(null),
      keep: false,
      mismatch: `${found ? found.type : 'unknown bytes'} where ${claimed} was announced`,
    };
  }
  if (real) {
    const name = input.name ? withExtension(input.name, nameExt, real.ext) : input.unnamed(real.ext);
    return { contentType: real.type, name, keep: true };
  }
  // An archive keeps the more precise type it was given (a .docx is a zip), a vague one gives way.
  const generic = !declared || declared === 'image/*' || declared === 'application/octet-stream';
  const type = found && (generic || found.type !== 'application/zip') ? found.type : generic ? null : declared;
  return {
    contentType: type ?? 'application/octet-stream',
    name: input.name ?? input.unnamed(found?.ext ?? null),
    keep: true,
  };
}

/** The name with the extension of its real type, when the name claims another known one. */
function withExtension(name: string, current: string | null, real: string): string {
  if (!current || !(current in EXTENSIONS)) return current ? name : `${name}.${real}`;
  if (EXTENSIONS[current] === EXTENSIONS[real]) return name;
  return `${name.slice(0, -current.length)}${real}`;
}
