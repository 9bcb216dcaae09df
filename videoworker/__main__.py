"""Command line of the camera worker, standalone or connected to the platform.

    bouclier-videoworker --config cameras.yaml                      # standalone
    bouclier-videoworker --platform URL --token TOKEN --storage DIR  # connected

Standalone, events go to a JSON-lines file (the `events_file` key, by default
`<storage>/events.jsonl`), recordings, snapshots and live images under `storage`. Connected,
the cameras come from the platform and events are posted to it (spooled under
`<storage>/spool/` while it is unreachable); the token may come from the environment
(`BOUCLIER_WORKER_TOKEN`) rather than the command line, which other users can read.
SIGINT/SIGTERM stop it cleanly (segments being written are closed, checked and indexed).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from videoworker.config import ConfigError, load_config
from videoworker.worker import Worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bouclier-videoworker",
        description="Worker caméras du Bouclier : enregistrement, détection, alarmes.",
    )
    parser.add_argument("--config", type=Path, help="fichier YAML des caméras (mode autonome)")
    parser.add_argument(
        "--check", action="store_true", help="vérifier la configuration et s'arrêter"
    )
    parser.add_argument("--platform", help="adresse de la plateforme (mode connecté)")
    parser.add_argument("--token", help="jeton du worker (ou BOUCLIER_WORKER_TOKEN)")
    parser.add_argument("--storage", type=Path, help="dossier des enregistrements (mode connecté)")
    parser.add_argument("--detector", choices=["hog", "onnx"], default="hog")
    parser.add_argument("--model", type=Path, help="modèle ONNX (avec --detector onnx)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.platform is not None:
        return connected(args)
    if args.config is None:
        parser.error("--config (mode autonome) ou --platform (mode connecté) est obligatoire")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"Configuration refusée : {exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"Configuration valide : {len(config.cameras)} caméra(s).")
        return 0
    try:
        worker = Worker(config)
    except RuntimeError as exc:
        print(f"Démarrage impossible : {exc}", file=sys.stderr)
        return 1

    def on_signal(signum: int, frame: FrameType | None) -> None:
        worker.stop_event.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    worker.start()
    print(
        f"Worker démarré : {len(config.cameras)} caméra(s), événements dans {config.events_path}",
        flush=True,
    )
    worker.wait()
    worker.stop()
    return 0


def connected(args: argparse.Namespace) -> int:
    from videoworker.config import DetectorConfig
    from videoworker.connected import ConnectedWorker, Platform

    token = args.token or os.environ.get("BOUCLIER_WORKER_TOKEN")
    if not token:
        print("Jeton absent : --token ou BOUCLIER_WORKER_TOKEN.", file=sys.stderr)
        return 2
    if args.storage is None:
        print("--storage est obligatoire en mode connecté.", file=sys.stderr)
        return 2
    if args.detector == "onnx" and (args.model is None or not args.model.is_file()):
        print("--model : modèle ONNX introuvable.", file=sys.stderr)
        return 2
    detector = DetectorConfig(type=args.detector, model=args.model)
    try:
        worker = ConnectedWorker(Platform(args.platform, token), args.storage, detector)
    except RuntimeError as exc:
        print(f"Démarrage impossible : {exc}", file=sys.stderr)
        return 1

    def on_signal(signum: int, frame: FrameType | None) -> None:
        worker.stop_event.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    worker.start()
    print(f"Worker connecté à {args.platform}, stockage {args.storage}", flush=True)
    worker.wait()
    worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
