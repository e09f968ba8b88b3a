"""The tutorial's ingestion: rows read into memory, one collection, `upload_collection(..., parallel=N)`.

    python tutorial_ingest.py --url URL --collection NAME --file ROWS.jsonl[.gz] --text "{title}. {text}"
        --drop text --parallel 2

The text of each row is the template filled from its fields; the payload is the row without the `--drop` fields (the
tutorial pops the description it embeds). qdrant-client embeds the documents with fastembed in N processes and
uploads them in N processes. Prints one JSON line per event (`ready`, `upload`, `done`) with wall-clock times, so
the bench can time the ingestion request apart from Python's start.
"""

import argparse
import gzip
import json
import time

from qdrant_client import QdrantClient, models

from tutorial_models import (
    DENSE_VECTOR,
    SPARSE_VECTOR,
    dense_document,
    model_options,
    sparse_document,
)


def event(name: str, **fields) -> None:
    print(json.dumps({"event": name, "t": time.time(), **fields}), flush=True)


def read_rows(path: str, limit: int | None) -> list[dict]:
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--collection", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--text", required=True, help="template over the row's fields, e.g. '{title}. {text}'")
    parser.add_argument("--drop", action="append", default=[], help="field left out of the payload")
    parser.add_argument("--parallel", type=int, required=True)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()

    rows = read_rows(args.file, args.limit)
    documents = [args.text.format_map({k: ("" if v is None else v) for k, v in row.items()}) for row in rows]
    metadata = [{k: v for k, v in row.items() if k not in args.drop} for row in rows]
    dense_options, sparse_options = model_options()

    client = QdrantClient(url=args.url)
    if not client.collection_exists(args.collection):
        client.create_collection(
            collection_name=args.collection,
            vectors_config={DENSE_VECTOR: models.VectorParams(size=384, distance=models.Distance.COSINE)},
            # BM25 needs the IDF modifier: the store weighs each term by its inverse document frequency.
            sparse_vectors_config={SPARSE_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
    event("upload", rows=len(rows))
    client.upload_collection(
        collection_name=args.collection,
        vectors=[
            {
                DENSE_VECTOR: dense_document(text, dense_options),
                SPARSE_VECTOR: sparse_document(text, sparse_options),
            }
            for text in documents
        ],
        payload=metadata,
        parallel=args.parallel,
    )
    event("done", points=client.count(args.collection, exact=True).count)


# forkserver workers import this module again: the pipeline must only run in the parent.
if __name__ == "__main__":
    main()
