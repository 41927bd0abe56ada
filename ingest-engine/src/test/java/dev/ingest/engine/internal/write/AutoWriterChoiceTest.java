package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which statement {@link WriterMode#AUTO} sends for a row group: COPY for large conflict-free
 * groups (binary when every column's type has an encoder), multi-row VALUES for large groups with
 * a conflict mode, and for small groups one unnest INSERT (one statement, so one round trip,
 * whatever the row count), or VALUES where unnest would flatten an array column.
 */
class AutoWriterChoiceTest {
    private static final TableSchema TABLE = new TableSchema("public", "t",
            List.of(new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, false, true, "pg_catalog.int8"),
                    new ColumnSchema("note", "text", ColumnKind.TEXT, null, true, false, true, "pg_catalog.text")),
            List.of("id"));
    private static final TableSchema NUMERIC = new TableSchema("public", "n",
            List.of(new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, false, true, "pg_catalog.int8"),
                    new ColumnSchema("amount", "numeric", ColumnKind.NUMERIC, null, true, false, true, "pg_catalog.numeric")),
            List.of("id"));
    private static final TableSchema ARRAYS = new TableSchema("public", "a",
            List.of(new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, false, true, "pg_catalog.int8"),
                    new ColumnSchema("tags", "text[]", ColumnKind.ARRAY, ColumnKind.TEXT, true, false, true, "pg_catalog._text")),
            List.of("id"));
    private final BatchInserter auto = new BatchInserter(WriterMode.AUTO);

    @Test
    void aGroupOfTheThresholdOrMoreGoesByBinaryCopyWhenItsTypesHaveEncoders() {
        RowGroup g = group(TABLE, WriterMode.AUTO_COPY_ROWS, OnConflict.ERROR);
        assertThat(auto.writerFor(g, g.size())).isSameAs(CopyBinary.INSTANCE);
    }

    @Test
    void aGroupOfTheThresholdOrMoreWithATypeWithoutEncoderGoesByTextCopy() {
        RowGroup g = group(NUMERIC, WriterMode.AUTO_COPY_ROWS, OnConflict.ERROR);
        assertThat(auto.writerFor(g, g.size())).isSameAs(CopyFromStdin.INSTANCE);
    }

    @Test
    void aSmallerGroupGoesByUnnestInOneStatement() {
        for (OnConflict mode : OnConflict.values()) {
            RowGroup g = group(TABLE, WriterMode.AUTO_COPY_ROWS - 1, mode);
            RowWriter w = auto.writerFor(g, g.size());
            assertThat(w).as("on_conflict=%s", mode).isSameAs(UnnestInsert.INSTANCE);
            assertThat(w.nextChunk(g, g.size())).as("rows in the one statement").isEqualTo(g.size());
        }
    }

    @Test
    void aSmallerGroupWithAnArrayColumnGoesByValues() {
        RowGroup g = group(ARRAYS, WriterMode.AUTO_COPY_ROWS - 1, OnConflict.ERROR);
        assertThat(auto.writerFor(g, g.size())).isSameAs(ValuesInsert.INSTANCE);
    }

    @Test
    void aSliceOfALargeGroupIsJudgedByItsOwnSize() {
        RowGroup g = group(TABLE, 4 * WriterMode.AUTO_COPY_ROWS, OnConflict.ERROR);
        assertThat(auto.writerFor(g, 8)).isSameAs(UnnestInsert.INSTANCE);
    }

    @Test
    void aLargeGroupWithAConflictModeGoesByValues() {
        for (OnConflict mode : List.of(OnConflict.IGNORE, OnConflict.UPDATE)) {
            RowGroup g = group(TABLE, 4 * WriterMode.AUTO_COPY_ROWS, mode);
            assertThat(auto.writerFor(g, g.size())).as("on_conflict=%s", mode).isSameAs(ValuesInsert.INSTANCE);
        }
    }

    private static RowGroup group(TableSchema table, int rows, OnConflict onConflict) {
        RequestBuilder b = IngestRequest.builder(table).onConflict(onConflict);
        for (int i = 0; i < rows; i++) {
            String v = Integer.toString(i);
            b.add(new Object[] {v, table == ARRAYS ? List.of(v) : v});
        }
        List<RowGroup> groups = RowGroup.of(List.of(b.build()));
        assertThat(groups).hasSize(1);
        return groups.get(0);
    }
}
