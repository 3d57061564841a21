package io.tradestore.internal.copy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over a table's rows in primary-key order, computed the same way from either engine's values
 * ({@link Values}): per row, per column in PostgreSQL's column order, a 0 byte for null, or a 1 byte, the length and
 * the UTF-8 bytes of the value's canonical text ({@link Values#text}). Lengths make the encoding unambiguous (no
 * two different rows digest alike by shifting text between columns); key order makes it a digest of the prefix
 * too, which is how a resumed copy proves the rows already on the target are this source's first rows.
 */
final class RowDigest {
    private final MessageDigest sha;
    private long rows;

    RowDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    void add(Object[] row) {
        ByteBuffer length = ByteBuffer.allocate(4);
        for (Object value : row) {
            if (value == null) {
                sha.update((byte) 0);
                continue;
            }
            byte[] text = Values.text(value).getBytes(StandardCharsets.UTF_8);
            sha.update((byte) 1);
            sha.update(length.clear().putInt(text.length).array());
            sha.update(text);
        }
        rows++;
    }

    long rows() {
        return rows;
    }

    /** The digest so far, as hex; the digest can go on taking rows. */
    String hex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests are cloneable on every Java platform", e);
        }
    }
}
