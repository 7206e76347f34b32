import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import { judgeFile } from '../../adapters/files/sniff.ts';
import type { Attachment } from '../../core/types.ts';
import { readLimited } from '../runtime/download.ts';

/** A file as Slack describes it in a message event or `files.info` (the fields the bot uses). */
export const slackFile = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private: z.string().nullish(),
  url_private_download: z.string().nullish(),
  permalink: z.string().nullish(),
  mode: z.string().nullish(),
  file_access: z.string().nullish(),
});
export type SlackFile = z.infer<typeof slackFile>;

export interface FileFetchOptions {
  client: webApi.WebClient;
  /** The bot token: Slack serves `url_private` only with it. */
  token: string;
  blobs: BlobStore;
  /** Hosts the token may be sent to (Slack's own, or the configured API's in tests). */
  tokenHosts: (host: string) => boolean;
  /** The one host files may come from over plain HTTP (a configured `SLACK_API_URL` on this machine); else HTTPS only. */
  plainHttpHost?: string | null;
  maxBytes: number;
  log: Logger;
}

/**
 * The files of a message as attachments, each downloaded with the bot token into the file store so the
 * ticket carries the bytes (`ref`). A file that cannot be fetched (too large, gone, refused) is still
 * attached by name and link, so the agent knows it existed.
 */
export async function fetchAttachments(files: SlackFile[], options: FileFetchOptions): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const listed of files) {
    const file = await describe(listed, options);
    if (!file) continue;
    const attachment: Attachment = {
      name: file.name || file.title || file.id,
      contentType: file.mimetype || 'application/octet-stream',
      ...(file.size != null ? { size: file.size } : {}),
      ...(file.permalink ? { url: file.permalink } : {}),
    };
    const bytes = await download(file, options);
    if (!bytes) {
      out.push(attachment);
      continue;
    }
    // Type and name from the bytes: what Slack (or the file's name) says is not always what it holds.
    const verdict = judgeFile({
      bytes,
      declared: file.mimetype ?? null,
      name: attachment.name,
      unnamed: () => file.id,
    });
    if (!verdict.keep) {
      options.log.warn({ file: file.id, mismatch: verdict.mismatch }, 'file is not what it claims to be; linked only');
      out.push({ ...attachment, contentType: verdict.contentType });
      continue;
    }
    out.push({
      ...attachment,
      name: verdict.name,
      contentType: verdict.contentType,
      size: bytes.byteLength,
      ref: await options.blobs.put(bytes),
    });
  }
  return out;
}

/** Slack Connect and some events list a file by id only: `files.info` then gives the rest. */
async function describe(file: SlackFile, options: FileFetchOptions): Promise<SlackFile | null> {
  if (file.mode === 'tombstone' || file.mode === 'hidden_by_limit') return null;
  if (file.url_private || file.url_private_download) return file;
  try {
    const info = await options.client.files.info({ file: file.id });
    const parsed = slackFile.safeParse(info.file);
    return parsed.success ? parsed.data : null;
  } catch (error) {
    options.log.warn({ file: file.id, err: slackError(error) }, 'files.info failed');
    return file;
  }
}

async function download(file: SlackFile, options: FileFetchOptions): Promise<Uint8Array | null> {
  const url = file.url_private_download || file.url_private;
  if (!url) return null;
  if (file.size != null && file.size > options.maxBytes) {
    options.log.warn({ file: file.id, size: file.size }, 'file too large to attach; linked only');
    return null;
  }
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (!options.tokenHosts(target.host) || (target.protocol !== 'https:' && target.host !== options.plainHttpHost)) {
    options.log.warn({ file: file.id, host: target.host }, 'file not on a Slack host; not fetched with the token');
    return null;
  }
  try {
    const response = await fetch(target, { headers: { authorization: `Bearer ${options.token}` } });
    const type = response.headers.get('content-type') ?? '';
    // Without a valid token Slack answers with its sign-in page, not the file.
    if (!response.ok || (type.startsWith('text/html') && !file.mimetype?.startsWith('text/html'))) {
      options.log.warn({ file: file.id, status: response.status }, 'file download refused');
      await response.body?.cancel();
      return null;
    }
    const bytes = await readLimited(response, options.maxBytes);
    if (!bytes) {
      options.log.warn({ file: file.id }, 'file too large to attach; linked only');
      return null;
    }
    return bytes;
  } catch (error) {
    options.log.warn({ file: file.id, err: String(error) }, 'file download failed');
    return null;
  }
}

/** A Web API error's Slack error code, without request details (which may hold a token). */
export function slackError(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; message?: string };
  return e.data?.error ?? e.code ?? e.message ?? String(error);
}
