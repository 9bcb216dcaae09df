"""The platform's Ed25519 signing key, and the signed manifest of a judicial extraction.

The key is read from the PEM file named by ``BOUCLIER_SIGNING_KEY``; without it (development,
tests) a key is generated once into ``var/signing_key.pem`` (never committed: ``/var/`` is
ignored). The manifest is JSON listing every exported file with its SHA-256; its exact bytes
are signed, and verification checks the signature with the platform's public key, then every
file's size and SHA-256: one byte changed anywhere is detected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

MANIFEST_NAME = "manifeste.json"
SIGNATURE_NAME = "manifeste.json.sig"
PUBLIC_KEY_NAME = "cle-publique.pem"
MANIFEST_FORMAT = "bouclier-extraction-judiciaire/1"


def key_path() -> Path:
    configured = os.environ.get("BOUCLIER_SIGNING_KEY", "")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "signing_key.pem"


def _generate(path: Path) -> None:
    """Write a new key atomically: two processes starting together keep the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        os.write(handle, pem)
        os.close(handle)
        os.chmod(tmp, 0o600)
        # link() fails if another process got there first: its key wins, ours is dropped.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        if os.environ.get("BOUCLIER_SIGNING_KEY"):
            # A configured key that is missing is an installation fault, not a reason to
            # sign with a key nobody knows.
            raise FileNotFoundError(f"Clé de signature introuvable : {path}")
        _generate(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} : une clé Ed25519 est attendue.")
    return key


def public_key_pem() -> bytes:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the public key, as printed on the procès-verbal."""
    return hashlib.sha256(public_pem).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    # Canonical form (sorted keys, UTF-8): what is signed is exactly what is written.
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def sign(data: bytes) -> bytes:
    return private_key().sign(data)


@dataclass
class Verification:
    """The outcome of checking a manifest, its signature and its files."""

    signature_ok: bool = False
    key_is_platform: bool = False
    manifest: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, bool, str]] = field(default_factory=list)  # name, ok, message
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.signature_ok
            and self.key_is_platform
            and not self.errors
            and bool(self.files)
            and all(ok for _name, ok, _message in self.files)
        )


def verify(
    manifest_data: bytes,
    signature: bytes,
    files: dict[str, bytes | Path],
    package_public_key: bytes | None = None,
) -> Verification:
    """Check the signature with the platform's key, then each listed file's size and hash.

    ``files`` maps a file name to its content or its path. A public key shipped in a package is
    only compared with the platform's: trusting it would let a forger sign with their own.
    """
    result = Verification()
    platform_pem = public_key_pem()
    result.key_is_platform = package_public_key is None or (
        package_public_key.strip() == platform_pem.strip()
    )
    if not result.key_is_platform:
        result.errors.append(_("La clé publique jointe n'est pas celle de la plateforme."))
    public = serialization.load_pem_public_key(platform_pem)
    assert isinstance(public, Ed25519PublicKey)
    try:
        public.verify(signature, manifest_data)
        result.signature_ok = True
    except InvalidSignature:
        result.errors.append(
            _(
                "Signature invalide : le manifeste a été modifié ou n'a pas été signé par la "
                "plateforme."
            )
        )
    try:
        manifest = json.loads(manifest_data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        result.errors.append(_("Le manifeste n'est pas un JSON lisible."))
        return result
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        result.errors.append(_("Ce fichier n'est pas un manifeste d'extraction de la plateforme."))
        return result
    result.manifest = manifest
    for entry in manifest.get("files") or []:
        name = str(entry.get("name", ""))
        content = files.get(name)
        if content is None:
            result.files.append((name, False, _("fichier absent")))
            continue
        if isinstance(content, Path):
            size = content.stat().st_size
            digest = sha256_file(content)
        else:
            size = len(content)
            digest = hashlib.sha256(content).hexdigest()
        if size != entry.get("size") or digest != entry.get("sha256"):
            result.files.append(
                (name, False, _("empreinte différente (%(digest)s)") % {"digest": digest})
            )
        else:
            result.files.append((name, True, _("empreinte conforme")))
    return result
