import { badRequest } from "../errors.js";

/** How Qdrant splits text into words (`TokenizerType`; `word` by default). */
export type Bm25Tokenizer = "word" | "whitespace" | "prefix" | "multilingual";

/** A resolved `qdrant/bm25` configuration: Qdrant's `Bm25Config` after its defaults and language rules are applied. */
export interface Bm25Config {
  k: number;
  b: number;
  avgLen: number;
  tokenizer: Bm25Tokenizer;
  lowercase: boolean;
  asciiFolding: boolean;
  /** Words dropped before stemming (already lowercased when `lowercase`). */
  stopwords: ReadonlySet<string>;
  /** The Snowball stemmer's language, or null for none. Only English is provisioned here. */
  stemmer: "english" | null;
  minTokenLen: number | null;
  maxTokenLen: number | null;
}

const TOKENIZERS: readonly Bm25Tokenizer[] = ["word", "whitespace", "prefix", "multilingual"];

/** Qdrant's `SnowballLanguage` names and aliases (serde snake_case), to the language. */
const SNOWBALL_LANGUAGES: Record<string, string> = Object.fromEntries(
  [
    ["arabic", "ar"],
    ["armenian", "hy"],
    ["danish", "da"],
    ["dutch", "nl"],
    ["english", "en"],
    ["finnish", "fi"],
    ["french", "fr"],
    ["german", "de"],
    ["greek", "el"],
    ["hungarian", "hu"],
    ["italian", "it"],
    ["norwegian", "no"],
    ["portuguese", "pt"],
    ["romanian", "ro"],
    ["russian", "ru"],
    ["spanish", "es"],
    ["swedish", "sv"],
    ["tamil", "ta"],
    ["turkish", "tr"],
  ].flatMap(([name, alias]) => [
    [name, name],
    [alias, name],
  ]),
);

/** Qdrant's stopword `Language` names and aliases, to the language. */
const STOPWORD_LANGUAGES: Record<string, string> = Object.fromEntries(
  [
    ["arabic", "ar"],
    ["azerbaijani", "az"],
    ["basque", "eu"],
    ["bengali", "bn"],
    ["catalan", "ca"],
    ["chinese", "zh"],
    ["danish", "da"],
    ["dutch", "nl"],
    ["english", "en"],
    ["finnish", "fi"],
    ["french", "fr"],
    ["german", "de"],
    ["greek", "el"],
    ["hebrew", "he"],
    ["hinglish", "hi-en"],
    ["hungarian", "hu"],
    ["indonesian", "id"],
    ["italian", "it"],
    ["japanese", "jp"],
    ["kazakh", "kk"],
    ["nepali", "ne"],
    ["norwegian", "no"],
    ["portuguese", "pt"],
    ["romanian", "ro"],
    ["russian", "ru"],
    ["slovene", "sl"],
    ["spanish", "es"],
    ["swedish", "sv"],
    ["tajik", "tg"],
    ["turkish", "tr"],
  ].flatMap(([name, alias]) => [
    [name, name],
    [alias, name],
  ]),
);

/** Qdrant's English stopwords (NLTK's list, the same 179 words FastEmbed uses). */
const ENGLISH_STOPWORDS =
  `i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
he him his himself she she's her hers herself it it's its itself they them their theirs themselves what which who whom this
that that'll these those am is are was were be been being have has had having do does did doing a an the and but if or
because as until while of at by for with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain
aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't
mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't`.split(
    /\s+/,
  );

function invalid(what: string): never {
  throw badRequest(`Wrong input: Invalid BM25 config: ${what}`);
}

function notProvisioned(what: string): never {
  throw badRequest(
    `Bad request: qdrant/bm25 ${what} is not provisioned in qdrant-local (English stemming and stopwords, ` +
      "custom stopwords and no stemming are)",
  );
}

function readNumber(options: Record<string, unknown>, key: string, fallback: number): number {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number") invalid(`${key}: invalid type: ${JSON.stringify(value)}, expected a number`);
  return value;
}

function readBool(options: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean")
    invalid(`${key}: invalid type: ${JSON.stringify(value)}, expected a boolean`);
  return value;
}

function readLength(options: Record<string, unknown>, key: string): number | null {
  const value = options[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    invalid(`${key}: invalid value: ${JSON.stringify(value)}, expected an unsigned integer`);
  return value;
}

function stopwordLanguage(value: unknown, where: string): string {
  const language = typeof value === "string" ? STOPWORD_LANGUAGES[value] : undefined;
  if (language === undefined)
    invalid(
      `${where}: unknown language ${JSON.stringify(value)}, expected one of ${Object.keys(STOPWORD_LANGUAGES).join(", ")}`,
    );
  return language;
}

function languageStopwords(language: string): readonly string[] {
  if (language !== "english") notProvisioned(`stopwords for \`${language}\``);
  return ENGLISH_STOPWORDS;
}

/** The `stopwords` option: a language, or `{languages, custom}`; null when absent. */
function readStopwords(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return [...languageStopwords(stopwordLanguage(value, "stopwords"))];
  if (typeof value !== "object" || Array.isArray(value))
    invalid("stopwords: expected a language or {languages, custom}");
  const set = value as Record<string, unknown>;
  const words: string[] = [];
  const languages = set.languages ?? set.language;
  if (languages !== undefined && languages !== null) {
    if (!Array.isArray(languages)) invalid("stopwords.languages: expected a list of languages");
    for (const [i, l] of languages.entries())
      words.push(...languageStopwords(stopwordLanguage(l, `stopwords.languages[${i}]`)));
  }
  if (set.custom !== undefined && set.custom !== null) {
    if (!Array.isArray(set.custom) || !set.custom.every((w) => typeof w === "string"))
      invalid("stopwords.custom: expected a list of strings");
    words.push(...(set.custom as string[]));
  }
  return words;
}

/** The `stemmer` option: `{type: "snowball", language}` or `{type: "none"}`; undefined when absent. */
function readStemmer(value: unknown): "english" | null | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    invalid('stemmer: expected {"type": "snowball", "language": ...} or {"type": "none"}');
  const spec = value as Record<string, unknown>;
  if (spec.type === "none") return null;
  if (spec.type !== "snowball")
    invalid(`stemmer.type: unknown variant ${JSON.stringify(spec.type)}, expected \`snowball\` or \`none\``);
  const language = typeof spec.language === "string" ? SNOWBALL_LANGUAGES[spec.language] : undefined;
  if (language === undefined)
    invalid(
      `stemmer.language: unknown variant ${JSON.stringify(spec.language)}, expected one of ${Object.keys(SNOWBALL_LANGUAGES).join(", ")}`,
    );
  if (language !== "english") notProvisioned(`stemmer for \`${language}\``);
  return "english";
}

/**
 * Reads `Document.options` for `qdrant/bm25` the way Qdrant's `bm25_inference.rs` builds its tokens processor:
 * `language` (default english) picks the default stemmer and stopwords; a language that is neither a Snowball nor a
 * stopword language (e.g. "none") turns both off; explicit `stopwords` / `stemmer` win over the language. Unknown
 * keys are ignored, as serde does for this struct.
 */
export function readBm25Config(options: unknown): Bm25Config {
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options)))
    invalid("options: expected a map of options");
  const o = (options ?? {}) as Record<string, unknown>;
  const k = readNumber(o, "k", 1.2);
  const b = readNumber(o, "b", 0.75);
  const avgLen = readNumber(o, "avg_len", 256);
  if (k < 0) invalid(`k: must be 0 or more, got ${k}`);
  if (b < 0 || b > 1) invalid(`b: must be from 0 to 1, got ${b}`);
  if (!(avgLen > 0)) invalid(`avg_len: must be above 0, got ${avgLen}`);
  const tokenizer = o.tokenizer ?? "word";
  if (typeof tokenizer !== "string" || !TOKENIZERS.includes(tokenizer as Bm25Tokenizer))
    invalid(
      `tokenizer: unknown variant ${JSON.stringify(tokenizer)}, expected one of ${TOKENIZERS.join(", ")}`,
    );
  if (tokenizer === "multilingual") notProvisioned("tokenizer `multilingual`");
  const language = o.language ?? "english";
  if (typeof language !== "string")
    invalid(`language: invalid type: ${JSON.stringify(language)}, expected a string`);
  const lowercase = readBool(o, "lowercase", true);
  const asciiFolding = readBool(o, "ascii_folding", false);
  const explicitStemmer = readStemmer(o.stemmer);
  let stemmer: "english" | null;
  if (explicitStemmer !== undefined) stemmer = explicitStemmer;
  else {
    const snowball = SNOWBALL_LANGUAGES[language];
    if (snowball !== undefined && snowball !== "english") notProvisioned(`stemmer for \`${snowball}\``);
    stemmer = snowball === "english" ? "english" : null;
  }
  let words = readStopwords(o.stopwords);
  if (words === null) {
    const stopLanguage = STOPWORD_LANGUAGES[language];
    words = stopLanguage === undefined ? [] : [...languageStopwords(stopLanguage)];
  }
  const stopwords = new Set(lowercase ? words.map((w) => w.toLowerCase()) : words);
  return {
    k,
    b,
    avgLen,
    tokenizer: tokenizer as Bm25Tokenizer,
    lowercase,
    asciiFolding,
    stopwords,
    stemmer,
    minTokenLen: readLength(o, "min_token_len"),
    maxTokenLen: readLength(o, "max_token_len"),
  };
}
