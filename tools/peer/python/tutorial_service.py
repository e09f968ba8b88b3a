"""The tutorial's search service: FastAPI, one HybridSearcher, `GET /api/search?q=` answering payloads.

    PEER_COLLECTION=NAME PEER_QDRANT_URL=URL python tutorial_service.py --port 8000

Each search embeds the query with fastembed inside qdrant-client (dense MiniLM and BM25 `models.Document`s) and makes
one `query_points` call: two prefetches fused with RRF at the root. The prefetch depth is this project's query API
default (50) rather than Qdrant's (10), so both services fuse the same candidate lists; the limit is the tutorial's 5.

FastAPI runs a plain `def` endpoint on a thread pool, and qdrant-client's model embedder is not thread-safe: as
written, concurrent searches fail with 500 ("dictionary changed size during iteration"). The searcher therefore holds
a lock around `query_points`, the smallest change that makes the service answer; PEER_AS_WRITTEN=1 leaves it out, for
the bench's count of those failures.
"""

import argparse
import os
import threading

import uvicorn
from fastapi import FastAPI
from qdrant_client import QdrantClient, models

from tutorial_models import (
    DENSE_VECTOR,
    SPARSE_VECTOR,
    dense_document,
    model_options,
    sparse_document,
)

PREFETCH_LIMIT = 50
LIMIT = 5


class HybridSearcher:
    def __init__(self, url: str, collection_name: str):
        self.collection_name = collection_name
        self.client = QdrantClient(url=url)
        self.dense_options, self.sparse_options = model_options()
        self.lock = None if os.environ.get("PEER_AS_WRITTEN") == "1" else threading.Lock()

    def search(self, text: str) -> list[dict]:
        if self.lock is None:
            return self._search(text)
        with self.lock:
            return self._search(text)

    def _search(self, text: str) -> list[dict]:
        hits = self.client.query_points(
            collection_name=self.collection_name,
            prefetch=[
                models.Prefetch(
                    query=dense_document(text, self.dense_options), using=DENSE_VECTOR, limit=PREFETCH_LIMIT
                ),
                models.Prefetch(
                    query=sparse_document(text, self.sparse_options), using=SPARSE_VECTOR, limit=PREFETCH_LIMIT
                ),
            ],
            query=models.FusionQuery(fusion=models.Fusion.RRF),
            limit=LIMIT,
        ).points
        return [hit.payload for hit in hits]


app = FastAPI()
searcher = HybridSearcher(os.environ["PEER_QDRANT_URL"], os.environ["PEER_COLLECTION"])


@app.get("/api/search")
def search(q: str) -> dict:
    return {"result": searcher.search(q)}


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Load both models before the first request, as the query API does before it reports ready.
    searcher.search("warm up")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
