import { describe, expect, it } from 'vitest';
import { judgeFile, sniff } from '../adapters/files/sniff.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('file types from the bytes', () => {
  it('knows the images, PDF and archives people send, and web pages and SVG whatever they are called', () => {
    expect(sniff(bytes([0x89], 'PNG\r\n\x1a\n', [0, 0]))?.type).toBe('image/png');
    expect(sniff(bytes([0xff, 0xd8, 0xff, 0xdb]))?.ext).toBe('jpg');
    expect(sniff(bytes('GIF89a', [1, 0])))?.toMatchObject({ type: 'image/gif' });
    expect(sniff(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))?.type).toBe('image/webp');
    expect(sniff(bytes([0, 0, 0, 0x18], 'ftypheic'))?.type).toBe('image/heic');
    expect(sniff(bytes('%PDF-1.7\n'))?.type).toBe('application/pdf');
    expect(sniff(bytes('PK\x03\x04'))?.type).toBe('application/zip');
    expect(sniff(bytes([0xef, 0xbb, 0xbf], '  <!DOCTYPE html><p>'))?.type).toBe('text/html');
    expect(sniff(bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'))?.type).toBe('image/svg+xml');
    // Not matched: text, and what only starts like a signature.
    expect(sniff(bytes('Foutmelding: Geboortedatum ongeldig'))).toBeNull();
    expect(sniff(bytes('BM hallo'))).toBeNull();
    expect(sniff(bytes('RIFF', [0, 0, 0, 0], 'WAVE'))).toBeNull();
  });

  it('names and types a file by its bytes; an image or PDF that is not one is not kept', () => {
    const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0]);
    const pdf = bytes('%PDF-1.4');
    const zip = bytes('PK\x03\x04');
    const unnamed = (ext: string | null) => `image-1${ext ? `.${ext}` : ''}`;
    expect(judgeFile({ bytes: jpeg, declared: 'image/*', name: null, unnamed })).toEqual({
      contentType: 'image/jpeg',
      name: 'image-1.jpg',
      keep: true,
    });
    expect(judgeFile({ bytes: jpeg, declared: 'image/png', name: 'scherm.png', unnamed })).toMatchObject({
      name: 'scherm.jpg',
      contentType: 'image/jpeg',
    });
    expect(judgeFile({ bytes: jpeg, declared: null, name: 'foto.JPEG', unnamed }).name).toBe('foto.JPEG');
    expect(judgeFile({ bytes: bytes('hallo'), declared: 'text/plain', name: 'x.png', unnamed })).toMatchObject({
      keep: false,
      mismatch: 'unknown bytes where image/png was announced',
    });
    expect(judgeFile({ bytes: bytes('<svg onload=x>'), declared: 'image/png', name: null, unnamed }).keep).toBe(false);
    expect(judgeFile({ bytes: pdf, declared: 'application/pdf', name: 'rapport.pdf', unnamed }).keep).toBe(true);
    expect(judgeFile({ bytes: jpeg, declared: 'application/pdf', name: 'rapport.pdf', unnamed })).toMatchObject({
      keep: true,
      contentType: 'image/jpeg',
      name: 'rapport.jpg',
    });
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(judgeFile({ bytes: zip, declared: docx, name: 'brief.docx', unnamed }).contentType).toBe(docx);
    expect(judgeFile({ bytes: zip, declared: 'application/octet-stream', name: 'x', unnamed }).contentType).toBe(
      'application/zip',
    );
    expect(judgeFile({ bytes: bytes('a;b\n1;2'), declared: 'text/csv', name: 'lijst.csv', unnamed })).toEqual({
      contentType: 'text/csv',
      name: 'lijst.csv',
      keep: true,
    });
  });
});
