"""Shared helpers for the worker's tests: where the shared footage and model live."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
FOOTAGE = SHARED / "footage"
MODEL = SHARED / "models" / "yolox_nano.onnx"


def footage(name: str) -> Path:
    path = FOOTAGE / name
    if not path.exists():
        pytest.skip(f"séquence de test absente : {path} (../shared/data/footage)")
    return path


def model() -> Path:
    if not MODEL.exists():
        pytest.skip(f"modèle YOLOX-Nano absent : {MODEL} (../shared/data/models)")
    return MODEL


def free_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
