"""Command line: `bouclier-videoworker --config cameras.yaml` (standalone mode).

Events go to a JSON-lines file (the `events_file` key, by default `<storage>/events.jsonl`),
recordings, snapshots and live images under `storage`. SIGINT/SIGTERM stop it cleanly
(segments being written are closed, checked and indexed).
"""

from __future__ import annotations

import argparse
import logging
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
    parser.add_argument("--config", required=True, type=Path, help="fichier YAML des caméras")
    parser.add_argument(
        "--check", action="store_true", help="vérifier la configuration et s'arrêter"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
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


if __name__ == "__main__":
    sys.exit(main())
