import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import { judgeFile } from '../../adapters/files/sniff.ts';
import type { Attachment } from '../../core/types.ts';
import { readLimited } from '../runtime/download.ts';
import { type ActivityAttachment, FILE_DOWNLOAD_INFO } from './activities.ts';

export interface FileFetchOptions {
  /** The bot's `Authorization` header (`Bearer ...`), or null in local mode. */
  authorization: string | null;
  /** The activity's Bot Connector: files it serves need the bot's token like its API does. */
  serviceUrl: string;
  /**
   * Local mode (the Emulator, tests): the activity's Bot Connector is on this machine and serves files
   * over plain HTTP. Otherwise files come over HTTPS from Teams' and SharePoint's hosts only.
   */
  local: boolean;
  blobs: BlobStore;
  maxBytes: number;
  log: Logger;
}

/**
 * Hosts that serve what people paste into Teams (`image/*` with a `contentUrl` on the Bot Connector or
 * Teams' media service) and take the bot's token. The token goes nowhere else: an attached file's
 * SharePoint link is pre-authorised and must not get it.
 */
const TOKEN_HOSTS =
  /(^|\.)(botframework\.com|botframework\.us|botframework\.azure\.us|trafficmanager\.net|asm\.skype\.com|teams\.microsoft\.com|teams\.microsoft\.us)$/i;

/**
 * Hosts files people send in Teams come from: the Bot Connector and Teams' media service (pasted
 * images), SharePoint and OneDrive for Business (files attached, in every Microsoft cloud). Nothing
 * else is fetched: not a private address, not this machine, not a name that only resembles these.
 */
const FILE_HOSTS =
  /(^|\.)(botframework\.com|botframework\.us|botframework\.azure\.us|trafficmanager\.net|asm\.skype\.com|teams\.microsoft\.com|teams\.microsoft\.us|sharepoint\.com|sharepoint\.us|sharepoint-mil\.us|sharepoint\.cn|sharepoint\.de)$/i;

/** Redirects followed for one file (SharePoint's download link may pass through one or two). */
const MAX_REDIRECTS = 3;

/**
 * The files of a message as attachments, each downloaded into the file store so the ticket carries the
 * bytes (`ref`): images pasted into the message with the bot's token (a plain download gets 401, and the
 * screenshot would be lost), files attached in a personal chat from their pre-authorised link. A file that
 * cannot be fetched, or whose bytes are not what it claims to be, is still attached by name, so the agent
 * knows it existed. Type and name extension come from the bytes: a pasted JPEG is `image-1.jpg`.
 */
export async function fetchAttachments(files: ActivityAttachment[], options: FileFetchOptions): Promise<Attachment[]> {
  const out: Attachment[] = [];
  let pasted = 0;
  for (const file of files) {
    const info = file.contentType === FILE_DOWNLOAD_INFO ? downloadInfo(file.content) : null;
    const isImage = file.contentType.startsWith('image/');
    const number = isImage && !file.name ? ++pasted : 0;
    const unnamed = (ext: string | null) => (isImage ? `image-${number}${ext ? `.${ext}` : ''}` : 'file');
    const url = info?.downloadUrl ?? file.contentUrl ?? null;
    const declared = info ? mimeOf(info.fileType) : isImage && file.contentType === 'image/*' ? null : file.contentType;
    const fetched = url ? await download(url, !info, options) : null;
    if (!fetched) {
      out.push({
        name: file.name || unnamed(isImage ? extension(file.contentType) : null),
        contentType: declared ?? 'application/octet-stream',
      });
      continue;
    }
    const verdict = judgeFile({
      bytes: fetched.bytes,
      declared: declared ?? (isImage ? 'image/*' : fetched.type),
      name: file.name || null,
      unnamed,
    });
    if (!verdict.keep) {
      options.log.warn(
        { host: fetched.host, mismatch: verdict.mismatch },
        'file is not what it claims to be; named only',
      );
      out.push({ name: verdict.name, contentType: verdict.contentType });
      continue;
    }
    out.push({
      name: verdict.name,
      contentType: verdict.contentType,
      size: fetched.bytes.byteLength,
      ref: await options.blobs.put(fetched.bytes),
    });
  }
  return out;
}

function downloadInfo(content: unknown): { downloadUrl: string; fileType?: string } | null {
  const c = content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
  if (typeof c?.downloadUrl !== 'string') return null;
  return { downloadUrl: c.downloadUrl, ...(typeof c.fileType === 'string' ? { fileType: c.fileType } : {}) };
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function mimeOf(fileType: string | undefined): string | null {
  return (fileType && MIME[fileType.toLowerCase()]) || null;
}

function extension(contentType: string): string {
  const sub = contentType.split('/')[1] ?? '';
  return sub === 'jpeg' ? 'jpg' : /^[a-z0-9]+$/.test(sub) ? sub : 'png';
}

/** True when the bot's token may go with a request to this URL. */
export function takesToken(url: URL, serviceUrl: string): boolean {
  const service = parseUrl(serviceUrl);
  return url.host === service?.host || (url.protocol === 'https:' && TOKEN_HOSTS.test(url.hostname));
}

/**
 * Whether a file may be fetched from this URL: over HTTPS from {@link FILE_HOSTS}, or from the
 * activity's own Bot Connector (in local mode on this machine, over plain HTTP too). Never with
 * credentials in the URL, never from an IP address otherwise.
 */
export function fileUrlAllowed(url: URL, serviceUrl: string, local: boolean): boolean {
  if (url.username || url.password) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const service = parseUrl(serviceUrl);
  if (service && url.origin === service.origin) return local || (url.protocol === 'https:' && isIP(bare(url)) === 0);
  return url.protocol === 'https:' && isIP(bare(url)) === 0 && FILE_HOSTS.test(url.hostname);
}

function bare(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/**
 * Download one file: each hop (redirects followed by hand, {@link MAX_REDIRECTS} at most) must pass
 * {@link fileUrlAllowed}; the token goes only to hops that take it.
 */
async function download(
  url: string,
  withToken: boolean,
  options: FileFetchOptions,
): Promise<{ bytes: Uint8Array; type: string | null; host: string } | null> {
  let target = parseUrl(url);
  if (!target) return null;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!fileUrlAllowed(target, options.serviceUrl, options.local)) {
        options.log.warn({ host: target.host }, 'file not on a Teams or SharePoint host; not fetched, named only');
        return null;
      }
      const headers: Record<string, string> = {};
      if (withToken && options.authorization && takesToken(target, options.serviceUrl))
        headers.authorization = options.authorization;
      const response = await fetch(target, { headers, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        target = new URL(location, target);
        continue;
      }
      if (!response.ok) {
        options.log.warn({ host: target.host, status: response.status }, 'file download refused');
        await response.body?.cancel();
        return null;
      }
      const bytes = await readLimited(response, options.maxBytes);
      if (!bytes) {
        options.log.warn({ host: target.host }, 'file too large to attach; named only');
        return null;
      }
      const type = response.headers.get('content-type')?.split(';')[0]?.trim() || null;
      return { bytes, type, host: target.host };
    }
    options.log.warn({ host: target.host }, 'file download redirected too often; named only');
    return null;
  } catch (error) {
    options.log.warn({ host: target.host, err: String(error) }, 'file download failed');
    return null;
  }
}
