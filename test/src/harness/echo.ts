/** With E2E_LOGS=1 every child's output is echoed to stderr as it comes (otherwise it is only captured). */
export function echoLine(prefixed: string): void {
  if (process.env.E2E_LOGS === "1") process.stderr.write(`${prefixed}\n`);
}
