// Guessing the access token is slowed per client: failed sign-ins and requests with a wrong bearer
// token count; past the limit every attempt, right or wrong, is refused until the oldest failure leaves
// the window (answering a right token would tell a guesser when it got there).

export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    readonly limit = 10,
    readonly windowMs = 60_000,
    private readonly maxClients = 10_000,
  ) {}

  private recent(client: string, now: number): number[] {
    const list = (this.attempts.get(client) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.attempts.delete(client);
    else this.attempts.set(client, list);
    return list;
  }

  /** 0 when the client may try now, else the milliseconds until it may. */
  retryAfterMs(client: string, now: number): number {
    const list = this.recent(client, now);
    if (list.length < this.limit) return 0;
    return Math.max(1, (list[list.length - this.limit] ?? now) + this.windowMs - now);
  }

  record(client: string, now: number): void {
    const list = this.recent(client, now);
    list.push(now);
    this.attempts.delete(client);
    this.attempts.set(client, list);
    // Bounded memory under many addresses: the least recently active clients go first.
    for (const key of this.attempts.keys()) {
      if (this.attempts.size <= this.maxClients) break;
      this.attempts.delete(key);
    }
  }
}
