"""The public verification page (no sign-in, the holder's name masked) and the revoke API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..web._api import ApiError, Body, Field, api, read_json
from ..web._context import get_platform, render, require
from ._service import find_by_serial, mask_name, revoke_certificate
from .models import CertificateStatus

__all__ = ["REVOKE", "api_routes", "page_routes"]

REVOKE = "core.certificates.revoke"
REVOKE_BODY = Body({"reason": Field(str, max_length=500)})


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


@api("Revoke a certificate; the verification page then shows it revoked, with the reason",
     body=REVOKE_BODY,
     responses={404: "no such certificate", 409: "already revoked", 422: "no reason given"})
async def revoke(request: Request) -> Response:
    actor = await require(request, REVOKE)
    data = await read_json(request, REVOKE_BODY)
    reason = data["reason"].strip()
    if not reason:
        raise ApiError(422, "reason_required", "请填写撤销原因", detail={"field": "reason"})
    async with get_platform(request).db.transaction() as session:
        certificate = await find_by_serial(session, request.path_params["serial"][:64])
        if certificate is None:
            raise ApiError(404, "certificate_not_found", "未找到该证书")
        if certificate.status == CertificateStatus.revoked:
            raise ApiError(409, "already_revoked", "该证书已被撤销")
        await revoke_certificate(session, actor, certificate, reason)
        body = {"serial": certificate.serial, "status": str(certificate.status),
                "revoked_reason": certificate.revoked_reason}
    return JSONResponse(body)


page_routes = [Route("/verify/{serial}", verify_page, name="verify_certificate")]
api_routes = [Route("/certificates/{serial}/revoke", revoke, methods=["POST"],
                    name="certificate_revoke")]
