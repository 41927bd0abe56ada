package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingest.api.common.TableDefinition;
import dev.ingest.api.common.TableName;
import dev.ingest.api.formats.CsvGrammar;
import dev.ingest.api.formats.Format;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ingest load --create-table}: the table a file needs, from its first records, as csvkit's
 * csvsql infers one: column names from the CSV header (or the keys of the JSON objects, in the
 * order they first appear) and each column's type by {@link ColumnTypeInference}.
 */
final class TableSampler {
    /**
     * The load client's data-binding mapper, for the few paths that read or build JSON trees
     * (creating a table, a refused chunk's answer). Made when first used, with this class: a load
     * that goes well never pays data binding's start-up.
     */
    static final ObjectMapper JSON = new ObjectMapper();

    private TableSampler() {
    }

    /**
     * The definition of {@code table} (name or schema.name; bare names in {@code public}) for the
     * first {@code rows} records, of a CSV sample of at most {@code maxBytes} of the (decompressed) input.
     */
    static TableDefinition sample(Source source, Format format, String table, int rows, int maxBytes, InputStream stdin)
            throws IOException {
        TableName name = TableName.parse(table, "public");
        Map<String, ColumnTypeInference> columns;
        try (InputStream in = source.open(stdin, new AtomicLong())) {
            columns = format == Format.CSV ? csv(in, rows, maxBytes) : json(in, rows);
        }
        List<TableDefinition.Column> defined = new ArrayList<>();
        columns.forEach((n, inference) -> defined.add(new TableDefinition.Column(n, inference.type())));
        return new TableDefinition(name.schema(), name.table(), defined);
    }

    private static Map<String, ColumnTypeInference> csv(InputStream in, int rows, int maxBytes) throws IOException {
        byte[] b = in.readNBytes(maxBytes);
        boolean eof = b.length < maxBytes || in.read() < 0;
        CsvGrammar grammar = new CsvGrammar();
        int pos = 0;
        if (grammar.frame(b, pos, b.length, eof) != CsvGrammar.Framing.RECORD) {
            throw new ChunkReader.MalformedInputException("empty CSV: expected a header row");
        }
        CsvGrammar.Row header = grammar.row(b);
        if (header.rejected()) {
            throw new ChunkReader.MalformedInputException("the CSV header cannot be read: " + header.message());
        }
        Map<String, ColumnTypeInference> columns = new LinkedHashMap<>();
        List<ColumnTypeInference> byPosition = new ArrayList<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String n = header.fields().get(i);
            if (n == null || n.isEmpty()) {
                throw new IllegalArgumentException("column " + (i + 1) + " of the CSV header has no name: name it to create the table");
            }
            ColumnTypeInference inference = new ColumnTypeInference();
            if (columns.put(n, inference) != null) {
                throw new IllegalArgumentException("the CSV header names column \"" + n + "\" twice");
            }
            byPosition.add(inference);
        }
        pos = grammar.end();
        for (int r = 0; r < rows && grammar.frame(b, pos, b.length, eof) == CsvGrammar.Framing.RECORD; r++) {
            CsvGrammar.Row row = grammar.row(b);
            pos = grammar.end();
            if (row.rejected() || row.fields().size() != byPosition.size()) {
                continue; // refused when loaded, whatever the table: it says nothing about the types
            }
            for (int i = 0; i < byPosition.size(); i++) {
                byPosition.get(i).text(row.fields().get(i));
            }
        }
        return columns;
    }

    private static Map<String, ColumnTypeInference> json(InputStream in, int rows) throws IOException {
        Map<String, ColumnTypeInference> columns = new LinkedHashMap<>();
        try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(in)) {
            for (int r = 0; r < rows && values.hasNextValue(); r++) {
                JsonNode record = values.nextValue();
                if (!record.isObject()) {
                    continue; // refused when loaded
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    columns.computeIfAbsent(e.getKey(), k -> new ColumnTypeInference()).json(e.getValue());
                }
            }
        } catch (JsonProcessingException e) {
            throw new ChunkReader.MalformedInputException("malformed JSON in the sample: " + e.getOriginalMessage());
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no JSON object in the first records: nothing to name the columns after");
        }
        return columns;
    }
}
