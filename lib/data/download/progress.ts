// The progress of a download on a terminal: one redrawn line on a TTY, a line every few seconds in a log.

export interface DownloadProgress {
  name: string; // the file being transferred, e.g. "ml-20m.zip"
  receivedBytes: number;
  totalBytes: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  attempt: number; // 1 for the first request, 2 after the first retry, ...
}

/** A terminal progress bar line like `ml-20m.zip  45.2%  86.0/190.2 MB  5.3 MB/s  ETA 19 s` (no ETA part when total unknown). */
export function formatProgress(p: DownloadProgress): string {
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  const rate = `${mb(p.bytesPerSecond)} MB/s`;
  const retry = p.attempt > 1 ? `  (attempt ${p.attempt})` : "";
  if (p.totalBytes === null) return `${p.name}  ${mb(p.receivedBytes)} MB  ${rate}${retry}`;
  const percent = p.totalBytes > 0 ? (100 * p.receivedBytes) / p.totalBytes : 100;
  const eta = p.etaSeconds === null ? "" : `  ETA ${formatSeconds(p.etaSeconds)}`;
  return `${p.name}  ${percent.toFixed(1)}%  ${mb(p.receivedBytes)}/${mb(p.totalBytes)} MB  ${rate}${eta}${retry}`;
}

/**
 * Returns an onProgress callback that redraws one line on stderr with \r when stderr is a TTY, else prints a line at most every 5 s and at
 * the end.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let last = 0;
  return (p) => {
    const done = p.totalBytes !== null && p.receivedBytes >= p.totalBytes;
    const now = Date.now();
    // A redraw per network chunk would flood a terminal; ten a second looks smooth.
    if (!done && now - last < (stream.isTTY ? 100 : 5000)) return;
    last = now;
    stream.write(stream.isTTY ? `\r${formatProgress(p)}\x1b[K${done ? "\n" : ""}` : `${formatProgress(p)}\n`);
  };
}

function formatSeconds(s: number): string {
  const whole = Math.ceil(s);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
