"""Documents (附件材料): scans and PDFs attached to a case. The type is decided by the content
(magic bytes), never by the file name; the size is checked; the SHA-256 is stored."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications.models import Case, Document
from safetynet.applications.services._base import actor_ref, add_error, atomic, load_case, raise_if
from safetynet.core.permissions import require
from safetynet.core.services import change_log_write, snapshot

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def max_bytes() -> int:
    return int(getattr(settings, "SAFETYNET_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes of a file, or None when it is neither an
    image we can show inline (JPEG, PNG, WebP) nor a PDF."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def read_upload(upload: Any) -> bytes:
    """The bytes of an UploadedFile, a file object or bytes, reading at most one byte past the
    limit (so an oversized upload is refused without reading it all into memory)."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(max_bytes() + 1)


def document_validate(content: bytes, *, name: str = "") -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    limit = max_bytes()
    found = sniff(content[:16])
    label = name or _("文件")
    if not content:
        add_error(errors, "file", _("%(f)s 是空文件") % {"f": label})
    elif found is None:
        add_error(
            errors,
            "file",
            _("%(f)s 不是图片（JPEG、PNG、WebP）或 PDF 文件（按文件内容判断，与扩展名无关）") % {"f": label},
        )
    if len(content) > limit:
        add_error(
            errors,
            "file",
            _("%(f)s 超过大小上限 %(m)s MB") % {"f": label, "m": f"{limit / 1024 / 1024:.0f}"},
        )
    raise_if(errors)
    assert found is not None
    return found


def store(
    *,
    actor: Any,
    case: Case,
    kind: str,
    content: bytes,
    name: str = "",
    title: str = "",
) -> Document:
    """Write a document for a case (inside the caller's transaction, after validation)."""
    content_type, ext = document_validate(content, name=name)
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        case=case,
        application=case.application,
        household_id=case.household_id,
        region_code=case.region_code,
        kind=kind,
        title=(title or name or c.DocumentKind(kind).label)[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        original_name=name[:200],
        created_by=actor_ref(actor),
    )
    path = default_storage.save(f"cases/{case.pk}/{digest[:24]}.{ext}", ContentFile(content))
    document.file.name = path
    document.save()
    change_log_write(actor=actor, action="create", obj=document, after=snapshot(document), reason="document")
    return document


def store_upload(
    *, actor: Any, case: Case, kind: str, upload: Any, name: str = "", title: str = ""
) -> Document | None:
    """Store the scan attached to a step (visit form, authorisation, hearing record…), if any.
    Callers run it inside their own transaction, beside the record it documents."""
    if upload is None:
        return None
    return store(
        actor=actor,
        case=case,
        kind=kind,
        content=read_upload(upload),
        name=name or getattr(upload, "name", ""),
        title=title,
    )


def document_upload(
    *, actor: Any, case: Case, kind: str, upload: Any, name: str = "", title: str = ""
) -> Document:
    """Upload a scan or PDF to a case: type by content, size checked, SHA-256 stored."""
    require(actor, Document, "add")
    case = load_case(actor, case, "view")
    errors: dict[str, list[str]] = {}
    if kind not in c.DocumentKind.values:
        add_error(errors, "kind", _("材料类型无效：%(v)s") % {"v": kind})
    content = read_upload(upload)
    name = name or getattr(upload, "name", "") or ""
    try:
        document_validate(content, name=name)
    except ValidationError as exc:  # collected with the kind error: one message lists everything
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    raise_if(errors)
    with atomic():
        return store(actor=actor, case=case, kind=kind, content=content, name=name, title=title)


def document_open(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()
