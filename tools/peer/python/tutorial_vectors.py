"""The vectors the tutorial's stack computes, for the bench's check that both sides embed alike.

Reads {"documents": [...], "queries": [...]} on stdin and writes, on stdout, for each list the dense vector and the
BM25 vector fastembed gives it, the way qdrant-client embeds a `models.Document`: documents through `embed`, queries
through `query_embed` (BM25 weighs a query's terms 1 each). With PEER_STOCK_DENSE_DIR set, also the documents'
dense vectors from the model folder as provisioned (its tokenizer_config allows 512 tokens).
"""

import json
import os
import sys

from fastembed import SparseTextEmbedding, TextEmbedding

from tutorial_models import DENSE_MODEL, SPARSE_MODEL, model_options


def sparse_json(vector) -> dict:
    return {"indices": vector.indices.tolist(), "values": vector.values.tolist()}


def main() -> None:
    request = json.load(sys.stdin)
    dense_options, sparse_options = model_options()
    dense = TextEmbedding(model_name=DENSE_MODEL, **dense_options)
    sparse = SparseTextEmbedding(model_name=SPARSE_MODEL, **sparse_options)
    documents, queries = request["documents"], request["queries"]
    answer = {
        "documents": {
            "dense": [v.tolist() for v in dense.embed(documents)],
            "sparse": [sparse_json(v) for v in sparse.embed(documents)],
        },
        "queries": {
            "dense": [v.tolist() for v in dense.query_embed(queries)],
            "sparse": [sparse_json(v) for v in sparse.query_embed(queries)],
        },
    }
    stock_dir = os.environ.get("PEER_STOCK_DENSE_DIR")
    if stock_dir:
        stock = TextEmbedding(model_name=DENSE_MODEL, specific_model_path=stock_dir, local_files_only=True)
        answer["stockDocuments"] = [v.tolist() for v in stock.embed(documents)]
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
