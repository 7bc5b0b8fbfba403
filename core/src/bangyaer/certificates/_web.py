"""The public verification page, /verify/<serial>: no sign-in, the holder's name masked."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..web._context import get_platform, render
from ._service import find_by_serial, mask_name
from .models import CertificateStatus

__all__ = ["page_routes"]


async def verify_page(request: Request) -> Response:
    raw = request.path_params["serial"][:64]
    async with get_platform(request).db.session() as session:
        certificate = await find_by_serial(session, raw)
    if certificate is None:
        return await render(request, "certificates/not_found.html", {"serial": raw},
                            status_code=404)
    return await render(request, "certificates/verify.html", {
        "certificate": certificate,
        "holder": mask_name(certificate.holder_name),
        "valid": certificate.status == CertificateStatus.valid,
    })


page_routes = [Route("/verify/{serial}", verify_page, name="verify_certificate")]
