/** Is a process with this id still running? (EPERM: it runs, under another user.) */
export function alive(pid: number): boolean;

/** When the process `pid` started (clock ticks since boot, from /proc), or undefined when it is gone or there is no /proc. */
export function startTime(pid: number): string | undefined;

/** Is the process with this id, started at `start` (startTime), still running? Without `start` (or /proc), the pid alone decides. */
export function running(pid: number, start?: string): boolean;
