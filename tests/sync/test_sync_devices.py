"""A database file syncs as one device: a copy of it (or an old backup) that syncs after
its twin is refused before it sends anything, and a laptop whose server is behind or
ahead of it is told so."""

import shutil

import psycopg
import pytest

from tests.sync.test_sync import lead_names, me
from workbench import cli
from workbench.rules.stages import Stage
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.sync.protocol import SyncError


def server_leads(server_url: str) -> list[str]:
    with psycopg.connect(server_url) as owner:
        return sorted(r[0] for r in owner.execute("SELECT first_name FROM leads"))


def test_a_copy_that_syncs_after_its_twin_is_refused_and_sends_nothing(team, server_url,
                                                                       tmp_path):
    original = Store.open(tmp_path / "ana.db")
    synchronise(original, team["ana"])
    original.add_lead(first_name="Before", last_name="Copy", owner_id=me(original, "ana"),
                      stage=Stage.MQL)
    synchronise(original, team["ana"])
    original.close()
    shutil.copy(tmp_path / "ana.db", tmp_path / "copy.db")
    original, copy = Store.open(tmp_path / "ana.db"), Store.open(tmp_path / "copy.db")
    # both make a lead of their own: on each file it takes the same local id
    original.add_lead(first_name="Original", last_name="L", owner_id=me(original, "ana"),
                      stage=Stage.MQL)
    copy.add_lead(first_name="Copied", last_name="L", owner_id=me(copy, "ana"),
                  stage=Stage.MQL)
    synchronise(original, team["ana"])

    with pytest.raises(SyncError, match="copy of one that has synced"):
        synchronise(copy, team["ana"])
    assert server_leads(server_url) == ["Before", "Original"]
    assert copy.sync_status().waiting == 2  # its lead and its move are kept, still waiting
    assert "copy of one" in copy.sync_status().last_error
    assert lead_names(copy) == ["Before", "Copied"]
    synchronise(original, team["ana"])  # the file that syncs goes on syncing
    original.close()
    copy.close()


def server_history(server_url: str) -> dict[str, list[tuple[str, str | None, str]]]:
    """Each lead's moves on the server: (to stage, the uid it follows, its own uid)."""
    with psycopg.connect(server_url) as owner:
        rows = owner.execute(
            "SELECT l.first_name, c.to_stage, c.follows, c.uid FROM stage_changes c "
            "JOIN leads l ON l.id = c.lead_id ORDER BY c.hlc").fetchall()
    history: dict[str, list] = {}
    for name, to_stage, follows, uid in rows:
        history.setdefault(name, []).append((to_stage, follows, uid))
    return history


def test_a_copy_synced_as_a_new_device_sends_its_own_work_as_new(team, server_url, tmp_path,
                                                                 capsys):
    original = Store.open(tmp_path / "dana.db")
    synchronise(original, team["dana"])
    shared = original.add_lead(first_name="Shared", last_name="L",
                               owner_id=me(original, "dana"), stage=Stage.MQL)
    synchronise(original, team["dana"])
    original.close()
    shutil.copy(tmp_path / "dana.db", tmp_path / "copy.db")
    original, copy = Store.open(tmp_path / "dana.db"), Store.open(tmp_path / "copy.db")
    for name in ("Original", "Second"):  # the same local ids as the copy's two below
        original.add_lead(first_name=name, last_name="L", owner_id=me(original, "dana"),
                          stage=Stage.MQL)
    synchronise(original, team["dana"])
    dana = me(copy, "dana")
    mine = copy.add_lead(first_name="Copied", last_name="L", owner_id=dana, stage=Stage.MQL)
    copy.move_lead(mine, Stage.SAL, by=dana)  # follows the copy's own first move
    copy.move_lead(shared, Stage.SAL, by=dana)  # a lead both files share
    gone = copy.add_lead(first_name="Gone", last_name="L", owner_id=dana, stage=Stage.MQL)
    # made and removed here: never on the server, where a manager's removal of its uid
    # would remove the original's lead of the same local id
    copy.merge_leads(mine, gone)
    with pytest.raises(SyncError, match="as a new device"):
        synchronise(copy, team["dana"])
    copy.close()

    assert cli.main(["sync", "--db", str(tmp_path / "copy.db"), "--server", team["dana"],
                     "--as-new-device"]) == 0
    assert "Synced" in capsys.readouterr().out
    assert server_leads(server_url) == ["Copied", "Original", "Second", "Shared"]
    history = server_history(server_url)
    assert [m[0] for m in history["Shared"]] == ["mql", "sal"]
    # its own two moves, then the removed lead's history that the merge moved onto it
    assert [m[0] for m in history["Copied"]] == ["mql", "sal", "mql"]
    first, second, _merged = history["Copied"]
    assert second[1] == first[2]  # the copy's move follows its own first one
    original_mql = history["Original"][0]
    assert first[2] != original_mql[2]  # same local ids, different devices
    synchronise(original, team["dana"])  # both go on syncing, and see each other's work
    assert lead_names(original) == ["Copied", "Original", "Second", "Shared"]
    original.close()
    with Store.open(tmp_path / "copy.db") as copy:
        synchronise(copy, team["dana"])
        assert lead_names(copy) == ["Copied", "Original", "Second", "Shared"]


def test_an_old_backup_restored_after_syncs_is_refused(team, tmp_path):
    laptop = Store.open(tmp_path / "ana.db")
    synchronise(laptop, team["ana"])
    laptop.close()
    shutil.copy(tmp_path / "ana.db", tmp_path / "backup.db")
    laptop = Store.open(tmp_path / "ana.db")
    synchronise(laptop, team["ana"])
    laptop.close()
    backup = Store.open(tmp_path / "backup.db")
    with pytest.raises(SyncError, match="older backup"):
        synchronise(backup, team["ana"])
    backup.close()


def test_another_users_file_is_refused(team, tmp_path):
    laptop = Store.open(tmp_path / "ana.db")
    synchronise(laptop, team["ana"])
    laptop.set_sync_server(None)  # Ben was handed Ana's file and gives his own login
    with pytest.raises(SyncError, match="another user's file"):
        synchronise(laptop, team["ben"])
    laptop.close()


def test_a_sync_cut_after_the_server_took_the_token_goes_on_next_time(team, tmp_path,
                                                                      monkeypatch):
    laptop = Store.open(tmp_path / "ana.db")
    synchronise(laptop, team["ana"])

    def cut(_token):
        raise SyncError("the laptop was switched off")

    with monkeypatch.context() as patch:
        patch.setattr(laptop, "device_token_taken", cut)
        with pytest.raises(SyncError, match="switched off"):
            synchronise(laptop, team["ana"])
    laptop.add_lead(first_name="After", last_name="Cut", owner_id=me(laptop, "ana"),
                    stage=Stage.MQL)
    assert synchronise(laptop, team["ana"]).pushed > 0
    synchronise(laptop, team["ana"])
    laptop.close()


@pytest.mark.parametrize(("revision", "message"), [
    ("server_0003", "older than this workbench needs.*server init"),
    ("server_0099", "newer than this workbench"),
])
def test_a_server_at_another_schema_is_named_and_nothing_is_sent(team, server_url, tmp_path,
                                                                 revision, message):
    laptop = Store.open(tmp_path / "ana.db")
    synchronise(laptop, team["ana"])
    laptop.add_lead(first_name="Waiting", last_name="L", owner_id=me(laptop, "ana"),
                    stage=Stage.MQL)
    with psycopg.connect(server_url) as owner:
        owner.execute("UPDATE alembic_version SET version_num = %s", (revision,))
    with pytest.raises(SyncError, match=message):
        synchronise(laptop, team["ana"])
    assert server_leads(server_url) == [] and laptop.sync_status().waiting == 2
    laptop.close()
