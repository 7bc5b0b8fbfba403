"""The blob store: uploads streamed to content-addressed storage."""

from ._blobs import (
    BlobInfo,
    BlobNotFound,
    BlobRecord,
    BlobStore,
    BlobTooLarge,
    LocalBlobStore,
    save_blob,
)

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobRecord",
    "BlobStore",
    "BlobTooLarge",
    "LocalBlobStore",
    "save_blob",
]
