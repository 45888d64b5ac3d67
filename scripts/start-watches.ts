// The watch schedule lives in the Next server's module graph, beside the pass runner it drives (a
// process-wide singleton on globalThis, see lib/watches). The start script runs Next in-process but
// cannot import those server-only modules itself, so once the server listens it asks the watches
// API once: that starts the schedule with the server, not on somebody's first visit.

const ATTEMPTS = 5;

function loopbackFor(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export async function startWatchSchedule(host: string, port: number, token: string | null): Promise<void> {
  const url = `http://${loopbackFor(host)}:${port}/api/watches`;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let problem = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) {
        const body = (await res.json()) as { watches?: unknown[] };
        console.log(`bucketscope: watch schedule started (${body.watches?.length ?? 0} watches)`);
        return;
      }
      problem = `${res.status} ${res.statusText}`;
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  console.error(`bucketscope: the watch schedule did not start (${problem}); it starts on the first use of the watches API`);
}
