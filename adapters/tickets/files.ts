import type { TicketDraft } from '../../core/types.ts';
import type { BlobStore } from '../files/blobs.ts';

/** One file to send with a ticket, its bytes read from the host's file store. */
export interface TicketFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** Reads the files a draft's attachments refer to; attachments without stored bytes are left out (the text names them). */
export type FileReader = (draft: TicketDraft) => Promise<TicketFile[]>;

/** File names made unique, so "scherm.png" sent twice does not overwrite itself at the helpdesk. */
function uniqueNames(files: TicketFile[]): TicketFile[] {
  const seen = new Map<string, number>();
  return files.map((f) => {
    const n = seen.get(f.name) ?? 0;
    seen.set(f.name, n + 1);
    if (n === 0) return f;
    const dot = f.name.lastIndexOf('.');
    const name = dot > 0 ? `${f.name.slice(0, dot)}-${n + 1}${f.name.slice(dot)}` : `${f.name}-${n + 1}`;
    return { ...f, name };
  });
}

/** Read attachments through a BlobStore (a missing file is skipped: it may have been cleaned up). */
export function blobFiles(blobs: BlobStore | undefined): FileReader {
  return async (draft) => {
    if (!blobs) return [];
    const files: TicketFile[] = [];
    for (const a of draft.attachments) {
      if (!a.ref) continue;
      const bytes = await blobs.get(a.ref);
      if (bytes) files.push({ name: a.name.replace(/[\\/\r\n"]/g, '_') || 'file', contentType: a.contentType, bytes });
    }
    return uniqueNames(files);
  };
}

/** A file as a multipart part (copied: Blob wants bytes of a plain ArrayBuffer). */
export function blobOf(file: TicketFile): Blob {
  return new Blob([new Uint8Array(file.bytes)], { type: file.contentType });
}
