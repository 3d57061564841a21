package io.tradestore.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Locking reads count as writes (savepoint, read-unit guard; decision 0017); what else the pattern catches. */
class SqlTextLockingTest {
    @Test
    void lockingReadsAsJooqRendersThemAreWrites() {
        assertThat(SqlText.readsOnly("select \"trading\".\"orders\".\"id\" from \"trading\".\"orders\" where id = ? for no key update")).isFalse();
        assertThat(SqlText.readsOnly("select * from p where a = ? order by t limit ? for update skip locked")).isFalse();
        assertThat(SqlText.readsOnly("SELECT * FROM p FOR\n  SHARE")).isFalse();
        assertThat(SqlText.readsOnly("select * from p for key share of p nowait")).isFalse();
        assertThat(SqlText.readsOnly("with x as (select 1) select * from x for update")).isFalse();
    }

    @Test
    void plainReadsStayReads() {
        assertThat(SqlText.readsOnly("select 'for update' from p")).isTrue();
        assertThat(SqlText.readsOnly("select \"for update\" from p")).isTrue();
        assertThat(SqlText.readsOnly("select * from p where note = 'wait for share'")).isTrue();
    }

    /** Comments are blanked like quoted text: one that mentions a lock leaves a read a read. */
    @Test
    void aCommentMentioningALockLeavesAReadARead() {
        assertThat(SqlText.readsOnly("select * from p /* not for update */")).isTrue();
        assertThat(SqlText.readsOnly("select * from p -- for share\n")).isTrue();
        assertThat(SqlText.readsOnly("select * from p -- a note\nfor update")).isFalse();
        assertThat(SqlText.readsOnly("select '/* for' from p for update")).isFalse();
    }

    /** uow.lock's advisory lock waits like a row lock (lock timeout, deadlock), so it runs in a savepoint too. */
    @Test
    void anAdvisoryLockIsAWrite() {
        assertThat(SqlText.readsOnly("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")).isFalse();
    }
}
