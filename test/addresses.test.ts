import Keyv from 'keyv';
import { describe, expect, it, vi } from 'vitest';
import { fileAddressBook, KeyvAddressBook } from '../adapters/state/references.ts';
import { tempDir } from './helpers.ts';

// The book of conversation addresses (Teams' conversation references, for proactive posts).

describe('address book', () => {
  it('writes an address when it changed or is due for renewal, not for every message', async () => {
    let now = 0;
    const keyv = new Keyv();
    const writes = vi.spyOn(keyv, 'set');
    const book = new KeyvAddressBook(keyv, { keepMs: 10_000, refreshMs: 1000, clock: () => now });
    const address = { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:1' } };

    await book.set('teams:a:1', address);
    now = 500;
    await book.set('teams:a:1', { ...address, conversation: { id: 'a:1' } });
    expect(writes).toHaveBeenCalledTimes(1);
    // Kept `refreshMs` beyond `keepMs`, so the calls it skips still leave it `keepMs` after them.
    expect(writes).toHaveBeenLastCalledWith('teams:a:1', address, 11_000);

    await book.set('teams:a:1', { ...address, serviceUrl: 'https://smba.example/amer/' });
    expect(writes).toHaveBeenCalledTimes(2);
    now = 1600;
    await book.set('teams:a:1', { ...address, serviceUrl: 'https://smba.example/amer/' });
    expect(writes).toHaveBeenCalledTimes(3);
    // Another conversation is its own.
    await book.set('teams:a:2', address);
    expect(writes).toHaveBeenCalledTimes(4);
    expect(await book.get('teams:a:1')).toEqual({ ...address, serviceUrl: 'https://smba.example/amer/' });
  });

  it('keeps addresses on disk for the next process, and forgets them after their time', async () => {
    const dir = tempDir();
    const first = fileAddressBook(dir, { keepMs: 50, refreshMs: 10 });
    await first.set('teams:a:1', { conversation: { id: 'a:1' } });
    await first.close();
    const second = fileAddressBook(dir, { keepMs: 50, refreshMs: 10 });
    expect(await second.get('teams:a:1')).toEqual({ conversation: { id: 'a:1' } });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await second.get('teams:a:1')).toBeUndefined();
    await second.close();
  });
});
