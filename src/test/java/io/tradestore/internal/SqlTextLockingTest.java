package io.tradestore.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Review of 0017: locking reads count as writes (savepoint, read-unit guard); what else the pattern catches. */
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

    /** Not quoted text, so a comment that mentions a lock makes a read a "write" (refused in a read unit). */
    @Test
    void aCommentMentioningALockCountsAsAWrite() {
        assertThat(SqlText.readsOnly("select * from p /* not for update */")).isFalse();
        assertThat(SqlText.readsOnly("select * from p -- for share\n")).isFalse();
    }
}
