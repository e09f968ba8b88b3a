import type { Logger } from "pino";
import type { BatchEncoder } from "./process-batch.js";

export interface EncoderWatchOptions {
  encoder: BatchEncoder;
  logger: Logger;
  /** Called once when a probe fails too: the encoder is broken for good (main stops the worker and exits 1). */
  onBroken: (error: unknown) => void;
}

/**
 * After a batch's encoder call failed: embeds a one-word probe with both models. If the probe fails as well the
 * encoder is broken (its ONNX runner is gone) and every later batch would burn its attempts, so `onBroken` runs and
 * the process can exit for its supervisor to restart it. A probe that passes means the batch itself was the problem.
 * Resolves once the probe has run (at once while another probe runs or once broken).
 */
export function createEncoderWatch({
  encoder,
  logger,
  onBroken,
}: EncoderWatchOptions): (cause: Error) => Promise<void> {
  let probing = false;
  let broken = false;
  return async (cause) => {
    if (probing || broken) return;
    probing = true;
    await encoder
      .encodeDocumentLists({ dense: ["probe"], sparse: ["probe"] })
      .then(
        () => logger.warn({ err: cause }, "a batch failed in the encoder, but the encoder still works"),
        (error: unknown) => {
          broken = true;
          logger.fatal({ err: error, cause: cause.message }, "the encoder is broken: stopping this worker");
          onBroken(error);
        },
      )
      .finally(() => {
        probing = false;
      });
  };
}
