/** Is a process with this id still running? (EPERM: it runs, under another user.) */
export function alive(pid: number): boolean;
