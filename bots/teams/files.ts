import type { Logger } from 'pino';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { Attachment } from '../../core/types.ts';
import { readLimited } from '../runtime/download.ts';
import { type ActivityAttachment, FILE_DOWNLOAD_INFO } from './activities.ts';

export interface FileFetchOptions {
  /** The bot's `Authorization` header (`Bearer ...`), or null in local mode. */
  authorization: string | null;
  /** The activity's Bot Connector: files it serves need the bot's token like its API does. */
  serviceUrl: string;
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
  /(^|\.)(botframework\.com|botframework\.us|botframework\.azure\.us|trafficmanager\.net|asm\.skype\.com|teams\.microsoft\.com)$/i;

/**
 * The files of a message as attachments, each downloaded into the file store so the ticket carries the
 * bytes (`ref`): images pasted into the message with the bot's token (a plain download gets 401, and the
 * screenshot would be lost), files attached in a personal chat from their pre-authorised link. A file that
 * cannot be fetched is still attached by name, so the agent knows it existed.
 */
export async function fetchAttachments(files: ActivityAttachment[], options: FileFetchOptions): Promise<Attachment[]> {
  const out: Attachment[] = [];
  let pasted = 0;
  for (const file of files) {
    const info = file.contentType === FILE_DOWNLOAD_INFO ? downloadInfo(file.content) : null;
    const isImage = file.contentType.startsWith('image/');
    const name = file.name || (isImage ? `image-${++pasted}.${extension(file.contentType)}` : 'file');
    const url = info?.downloadUrl ?? file.contentUrl ?? null;
    const contentType = info
      ? mimeOf(info.fileType)
      : isImage && file.contentType === 'image/*'
        ? null
        : file.contentType;
    const fetched = url ? await download(url, !info, options) : null;
    const type = contentType ?? fetched?.type ?? 'application/octet-stream';
    out.push({
      name,
      contentType: type,
      ...(fetched ? { size: fetched.bytes.byteLength, ref: await options.blobs.put(fetched.bytes) } : {}),
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
  let service: URL | null = null;
  try {
    service = new URL(serviceUrl);
  } catch {}
  return url.host === service?.host || (url.protocol === 'https:' && TOKEN_HOSTS.test(url.hostname));
}

async function download(
  url: string,
  withToken: boolean,
  options: FileFetchOptions,
): Promise<{ bytes: Uint8Array; type: string | null } | null> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return null;
  const headers: Record<string, string> = {};
  if (withToken && options.authorization) {
    if (takesToken(target, options.serviceUrl)) headers.authorization = options.authorization;
    else options.log.warn({ host: target.host }, 'file not on a Teams host; fetched without the bot token');
  }
  try {
    // A redirect to another origin drops the Authorization header (fetch's own rule).
    const response = await fetch(target, { headers });
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
    return { bytes, type };
  } catch (error) {
    options.log.warn({ host: target.host, err: String(error) }, 'file download failed');
    return null;
  }
}
