"""The jobs-table statements of ``dj_jupyter.sql.jobs``, compiled without a database."""

from __future__ import annotations

import pytest

from dj_jupyter.sql.dialect import MYSQL, POSTGRESQL, SQLITE
from dj_jupyter.sql.jobs import (
    compile_add_pending,
    compile_delete_job,
    compile_job_update,
    compile_live_sessions,
    compile_older_than,
    compile_repend,
    compile_shifted_now,
    compile_status_counts,
)


def test_reservation_is_one_conditional_update_on_each_dialect():
    sql = compile_job_update(MYSQL, "s", "~~t", ["status", "host"], ["k1", "k2"], now_columns=["reserved_time"],
                             if_status="pending", if_due=True)
    assert sql == ("UPDATE `s`.`~~t` SET `status` = %s, `host` = %s, `reserved_time` = NOW(3) "
                   "WHERE `k1` = %s AND `k2` = %s AND `status` = 'pending' AND `scheduled_time` <= NOW(3)")
    pg = compile_job_update(POSTGRESQL, "s", "~~t", ["status"], ["k"], if_status="pending", if_due=True)
    assert pg.endswith('AND "scheduled_time" <= LOCALTIMESTAMP(3)')
    lite = compile_job_update(SQLITE, "s", "~~t", ["status"], ["k"], null_columns=["reserved_time"],
                              if_status="reserved", if_columns=["pid"])
    assert lite == ('UPDATE "s.~~t" SET "status" = ?, "reserved_time" = NULL '
                    "WHERE \"k\" = ? AND \"status\" = 'reserved' AND \"pid\" = ?")


def test_unknown_status_is_refused_not_inlined():
    with pytest.raises(ValueError, match="Unknown job status 'x'; expected one of"):
        compile_job_update(MYSQL, "s", "~~t", ["status"], ["k"], if_status="x")


def test_delete_counts_and_repend():
    assert compile_delete_job(POSTGRESQL, "s", "~~t", ["a", "b"]) == 'DELETE FROM "s"."~~t" WHERE "a" = %s AND "b" = %s'
    assert compile_status_counts(MYSQL, "s", "~~t") == "SELECT `status`, count(*) FROM `s`.`~~t` GROUP BY `status`"
    assert compile_repend(SQLITE, "s", "~~t", '"k" = 1') == 'UPDATE "s.~~t" SET "status" = \'pending\' WHERE "k" = 1'


def test_add_pending_inserts_from_the_select_skipping_duplicates():
    sql = compile_add_pending(POSTGRESQL, "s", "~~t", ["k"], "SELECT 1 AS k", priority=5, delay=-1)
    assert sql.startswith('INSERT INTO "s"."~~t" ("k", "status", "priority", "scheduled_time") SELECT "$new"."k", '
                          "'pending', 5, (LOCALTIMESTAMP(3) + make_interval(secs => -1.0)) FROM (SELECT 1 AS k) AS")
    assert sql.endswith('ON CONFLICT ("k") DO NOTHING')
    assert "ON DUPLICATE KEY UPDATE" in compile_add_pending(MYSQL, "s", "~~t", ["k"], "SELECT 1", priority=5, delay=0)


def test_times_are_server_side_and_shifted():
    assert compile_shifted_now(MYSQL, 1.5) == "(NOW(3) + INTERVAL 1500000 MICROSECOND)"
    assert compile_shifted_now(SQLITE, -2) == "strftime('%Y-%m-%d %H:%M:%f', 'now', '-2.000 seconds')"
    assert compile_older_than(MYSQL, "created_time", 10) == "`created_time` < (NOW(3) + INTERVAL -10000000 MICROSECOND)"


def test_live_sessions_only_where_there_is_a_server():
    assert compile_live_sessions(SQLITE) is None
    assert "PROCESSLIST" in compile_live_sessions(MYSQL)
    assert "pg_stat_activity" in compile_live_sessions(POSTGRESQL)
