"""Checking an uploaded document: its type by content, its size, its name.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (a name or a browser's
content type proves nothing); a PDF must also be readable by pypdf, so that a file that merely
starts like a PDF is refused. Names are reduced to a safe form for display; the stored name is
never the uploaded one (a random name under MEDIA_ROOT, served only by an access-checked view).
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class DocumentError(ValueError):
    """A document refused, with the French message to show at the field."""


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    content_type: str
    extension: str
    name: str
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "GRANTS_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def sanitise_name(raw: str, extension: str) -> str:
    """A display name without path, control characters or odd punctuation, ending in ``ext``."""
    base = PurePath(raw.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem)
    except Exception:  # Django refuses names like "." or "": fall back to a neutral one
        stem = ""
    stem = stem.strip("._-")[:100] or "document"
    return f"{stem}.{extension}"


def _is_readable_pdf(content: bytes) -> bool:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        return len(reader.pages) > 0
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, OSError, RecursionError):
        return False
    except Exception:  # pypdf raises many kinds on hostile input: any of them means refused
        logger.info("PDF illisible refusé", exc_info=True)
        return False


def check_document(content: bytes, name: str) -> CheckedDocument:
    """Accept ``content`` as a PDF, JPEG or PNG, or raise ``DocumentError``."""
    limit = max_upload_bytes()
    if not content:
        raise DocumentError(_("Le fichier est vide."))
    if len(content) > limit:
        raise DocumentError(
            _("Le fichier dépasse la taille autorisée (%(mb)s Mo au plus).")
            % {"mb": limit // (1024 * 1024)}
        )
    match = next((s for s in SIGNATURES if content.startswith(s[0])), None)
    if match is None:
        raise DocumentError(
            _(
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été"
                " vérifié, pas seulement son nom)."
            )
        )
    _signature, content_type, extension = match
    if content_type == "application/pdf" and not _is_readable_pdf(content):
        raise DocumentError(
            _("Ce fichier se présente comme un PDF mais n'en est pas un lisible : refusé.")
        )
    return CheckedDocument(
        content=content,
        content_type=content_type,
        extension=extension,
        name=sanitise_name(name, extension),
        sha256=hashlib.sha256(content).hexdigest(),
    )
