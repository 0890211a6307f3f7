import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getSpokenPrompts, saveSpokenPrompts, wipeIfRetired } from '../../kiosk/src/db.js';

/**
 * The spoken-prompts setting (docs/door-guide.md "Spoken prompts") is the tablet's own: off on a new
 * tablet, kept once set, and gone with everything else when the tablet is retired and wiped.
 */
describe('the spoken-prompts setting on the tablet', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('is off on a tablet that never set it', async () => {
    expect(await getSpokenPrompts()).toBe(false);
  });

  it('keeps what staff set, across a closed connection', async () => {
    await saveSpokenPrompts(true);
    await closeDb();
    expect(await getSpokenPrompts()).toBe(true);
    await saveSpokenPrompts(false);
    expect(await getSpokenPrompts()).toBe(false);
  });

  it('is off again once the tablet is retired and wiped', async () => {
    await saveSpokenPrompts(true);
    expect(await wipeIfRetired(0)).toBe(true);
    expect(await getSpokenPrompts()).toBe(false);
  });
});
