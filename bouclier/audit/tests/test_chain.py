"""The journal's chain: any change, deletion or truncation is found and named."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AppendOnlyError, AuditEntry, ChainHead
from bouclier.audit.services import record, verify_chain

TABLE = AuditEntry._meta.db_table


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """What a database superuser could do: lift the append-only triggers for a moment."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
            yield


def write_entries(count: int) -> list[AuditEntry]:
    return [record("tests.entry.written", data={"n": n}) for n in range(count)]


def test_entries_are_chained(db: None) -> None:
    first, second = write_entries(2)[-2:]
    assert second.prev_hash == first.entry_hash
    assert second.sequence == first.sequence + 1
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEntry.objects.count()


def test_entry_keeps_actor_snapshot(make_user: Callable[..., User]) -> None:
    user = make_user(Role.DPO)
    entry = record("tests.entry.written", actor=user, reason="contrôle")
    assert entry.actor_label == user.email
    assert entry.role == "dpo"
    assert entry.organisation.startswith("Département")
    user.delete()
    entry.refresh_from_db()
    assert entry.actor_label == user.email
    assert verify_chain().ok


def test_application_cannot_change_or_delete(db: None) -> None:
    (entry,) = write_entries(1)
    entry.reason = "réécrit"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize("statement", [f"UPDATE {TABLE} SET reason = 'x'", f"DELETE FROM {TABLE}"])
def test_database_refuses_change_or_delete(db: None, statement: str) -> None:
    write_entries(1)
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_tampering_with_one_row_is_detected(db: None) -> None:
    entries = write_entries(5)
    target = entries[2]
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET reason = %s WHERE sequence = %s", ["falsifié", target.sequence]
        )
    report = verify_chain()
    assert not report.ok
    assert report.broken_sequence == target.sequence
    assert "contenu modifié" in report.problem
    with pytest.raises(CommandError, match=f"entrée n° {target.sequence} : contenu modifié"):
        call_command("verify_audit_chain")


def test_recomputed_hash_breaks_the_next_link(db: None) -> None:
    from bouclier.audit.services import compute_hash

    entries = write_entries(4)
    target = AuditEntry.objects.get(sequence=entries[1].sequence)
    target.reason = "falsifié"
    forged = compute_hash(target)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET reason = %s, entry_hash = %s WHERE sequence = %s",
            ["falsifié", forged, target.sequence],
        )
    report = verify_chain()
    assert report.broken_sequence == target.sequence + 1
    assert "lien" in report.problem


def test_deleted_row_is_detected(db: None) -> None:
    entries = write_entries(4)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = %s", [entries[1].sequence])
    report = verify_chain()
    assert report.broken_sequence == entries[1].sequence
    assert "manquante" in report.problem


def test_truncated_tail_is_detected(db: None) -> None:
    entries = write_entries(3)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = %s", [entries[-1].sequence])
    report = verify_chain()
    assert not report.ok
    assert "fin de chaîne" in report.problem


def test_action_code_is_checked(db: None) -> None:
    with pytest.raises(ValueError, match="Code d'action invalide"):
        record("connexion")


def test_command_reports_intact_chain(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    write_entries(3)
    call_command("verify_audit_chain")
    assert "Journal d'audit intègre" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database locks whole tables: PostgreSQL only")
    ChainHead.objects.get_or_create(pk=1)
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for n in range(10):
                record("tests.entry.written", data={"worker": worker, "n": n})
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    report = verify_chain()
    assert report.ok, report.problem
    assert AuditEntry.objects.filter(action="tests.entry.written").count() == 40
