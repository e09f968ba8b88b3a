/** A `COPY` or `ADD` instruction of a Dockerfile: its sources (relative to the build context) unless it copies `--from` a stage. */
export interface CopyInstruction {
  line: number;
  instruction: "COPY" | "ADD";
  from?: string;
  sources: string[];
  destination: string;
}

/** Parses the COPY/ADD instructions of a Dockerfile (line continuations, flags, and the JSON array form). */
export function parseCopyInstructions(text: string): CopyInstruction[] {
  const result: CopyInstruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] ?? "";
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, " ") + (lines[++i] ?? "");
    }
    const match = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    const instruction = (match[1] ?? "").toUpperCase() as "COPY" | "ADD";
    let rest = (match[2] ?? "").trim();
    let from: string | undefined;
    while (rest.startsWith("--")) {
      const flag = /^--(\S+?)(?:=(\S+))?\s+/.exec(rest);
      if (!flag) break;
      if (flag[1] === "from") from = flag[2];
      rest = rest.slice(flag[0].length);
    }
    const args = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter(Boolean);
    if (args.length < 2) throw new Error(`line ${start}: ${instruction} needs a source and a destination`);
    result.push({
      line: start,
      instruction,
      from,
      sources: args.slice(0, -1),
      destination: args.at(-1) ?? "",
    });
  }
  return result;
}
