"""E-certificates (电子奖状): a PDF with a serial and a QR code to /verify/<serial>.

Any plugin issues them with ``issue_certificate`` (one) or ``issue_for_many``
(a whole activity, as a background job); families verify them without
signing in.
"""

from ._batch import ISSUE_JOB, CertificateItem, issue_for_many, run_batch
from ._serial import is_well_formed, new_serial, normalise
from ._service import (
    ISSUED_EVENT,
    CertificateError,
    find_by_serial,
    find_by_source,
    issue_certificate,
    mask_name,
    revoke_certificate,
    verify_url,
)
from ._template import CertificateTemplate
from .models import BatchStatus, Certificate, CertificateBatch, CertificateStatus

__all__ = [
    "ISSUED_EVENT",
    "ISSUE_JOB",
    "BatchStatus",
    "Certificate",
    "CertificateBatch",
    "CertificateError",
    "CertificateItem",
    "CertificateStatus",
    "CertificateTemplate",
    "find_by_serial",
    "find_by_source",
    "is_well_formed",
    "issue_certificate",
    "issue_for_many",
    "mask_name",
    "new_serial",
    "normalise",
    "revoke_certificate",
    "run_batch",
    "verify_url",
]
