/**
 * Lets a scanned text through once, then holds it back for as long as it
 * keeps being seen within `windowMs` of its last sighting: a pass held in
 * front of the camera for ten seconds is one scan, not sixty. Once it has
 * been out of view for the window it counts as a new scan.
 */
export class RepeatFilter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly windowMs = 3_000) {}

  /** True when `text`, seen at `now`, is a new scan. */
  accept(text: string, now: number): boolean {
    for (const [seen, at] of this.lastSeen) if (now - at >= this.windowMs) this.lastSeen.delete(seen);
    const fresh = !this.lastSeen.has(text);
    this.lastSeen.set(text, now);
    return fresh;
  }

  clear(): void {
    this.lastSeen.clear();
  }
}
