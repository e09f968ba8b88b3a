"""What the tutorial's ingestion and service share: model names, vector names, and local model files.

The tutorial names its models and lets fastembed download them. Hugging Face is out of reach here, so every
`models.Document` carries fastembed options that point at local files instead (`specific_model_path`), the same
MiniLM weights and tokenizer this project provisions and BM25's stopword list. Nothing else changes: qdrant-client
still builds the fastembed models itself and runs them as the tutorial does.
"""

import os

from qdrant_client import models

DENSE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SPARSE_MODEL = "Qdrant/bm25"
# The same names as this project's collections, so both sides' collections are configured alike.
DENSE_VECTOR = "dense"
SPARSE_VECTOR = "sparse"


def model_options() -> tuple[dict, dict]:
    """fastembed options of the dense and the sparse model, from PEER_DENSE_DIR and PEER_BM25_DIR."""
    dense = {"specific_model_path": os.environ["PEER_DENSE_DIR"], "local_files_only": True}
    sparse = {"specific_model_path": os.environ["PEER_BM25_DIR"], "local_files_only": True}
    return dense, sparse


def dense_document(text: str, options: dict) -> models.Document:
    return models.Document(text=text, model=DENSE_MODEL, options=options)


def sparse_document(text: str, options: dict) -> models.Document:
    return models.Document(text=text, model=SPARSE_MODEL, options=options)
