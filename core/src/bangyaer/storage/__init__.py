"""The blob store: uploads streamed to content-addressed storage."""

from ._blobs import (
    BlobInfo,
    BlobNotFound,
    BlobRecord,
    BlobStore,
    BlobTooLarge,
    save_blob,
)
from ._local import LocalBlobStore

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobRecord",
    "BlobStore",
    "BlobTooLarge",
    "LocalBlobStore",
    "save_blob",
]
