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

/** Which statement {@link WriterMode#AUTO} sends for a row group: COPY for large conflict-free groups, VALUES otherwise. */
class AutoWriterChoiceTest {
    private static final TableSchema TABLE = new TableSchema("public", "t",
            List.of(new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, false, true),
                    new ColumnSchema("note", "text", ColumnKind.TEXT, null, true, false, true)),
            List.of("id"));
    private final BatchInserter auto = new BatchInserter(WriterMode.AUTO);

    @Test
    void aGroupOfTheThresholdOrMoreGoesByCopy() {
        RowGroup g = group(WriterMode.AUTO_COPY_ROWS, OnConflict.ERROR);
        assertThat(auto.writerFor(g, g.size())).isSameAs(CopyFromStdin.INSTANCE);
    }

    @Test
    void aSmallerGroupGoesByValues() {
        RowGroup g = group(WriterMode.AUTO_COPY_ROWS - 1, OnConflict.ERROR);
        assertThat(auto.writerFor(g, g.size())).isSameAs(ValuesInsert.INSTANCE);
    }

    @Test
    void aSliceOfALargeGroupIsJudgedByItsOwnSize() {
        RowGroup g = group(4 * WriterMode.AUTO_COPY_ROWS, OnConflict.ERROR);
        assertThat(auto.writerFor(g, 8)).isSameAs(ValuesInsert.INSTANCE);
    }

    @Test
    void aGroupWithAConflictModeGoesByValuesWhateverItsSize() {
        for (OnConflict mode : List.of(OnConflict.IGNORE, OnConflict.UPDATE)) {
            RowGroup g = group(4 * WriterMode.AUTO_COPY_ROWS, mode);
            assertThat(auto.writerFor(g, g.size())).as("on_conflict=%s", mode).isSameAs(ValuesInsert.INSTANCE);
        }
    }

    private static RowGroup group(int rows, OnConflict onConflict) {
        RequestBuilder b = IngestRequest.builder(TABLE).onConflict(onConflict);
        for (int i = 0; i < rows; i++) {
            b.add(new Object[] {Integer.toString(i), "n" + i});
        }
        List<RowGroup> groups = RowGroup.of(List.of(b.build()));
        assertThat(groups).hasSize(1);
        return groups.get(0);
    }
}
