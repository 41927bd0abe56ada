package dev.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a JSON value against a schema of the OpenAPI document, for the keywords the document
 * uses: {@code $ref} (within the document), {@code allOf}, {@code oneOf}, {@code anyOf},
 * {@code type} (one or a list, as in OpenAPI 3.1), {@code required}, {@code properties},
 * {@code items}, {@code enum} and {@code const}. A keyword it does not know is a failure, so that
 * the document cannot grow a rule this check silently skips. Not thread-safe state: none.
 */
final class OpenApiSchemaCheck {
    private static final List<String> KNOWN = List.of("$ref", "allOf", "oneOf", "anyOf", "type", "required", "properties",
            "items", "enum", "const", "description", "default", "additionalProperties");
    private final JsonNode document;

    OpenApiSchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** Follows a local {@code $ref} ({@code #/components/...}); returns other nodes as they are. */
    JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalArgumentException("only local references are checked: " + ref);
            }
            JsonNode target = document.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalArgumentException("dangling reference " + ref);
            }
            node = target;
        }
        return node;
    }

    /** What in {@code value} breaks {@code schema}; empty when it conforms. */
    List<String> problems(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    private void check(JsonNode schema, JsonNode value, String at, List<String> out) {
        schema = resolve(schema);
        schema.fieldNames().forEachRemaining(k -> {
            if (!KNOWN.contains(k)) {
                out.add(at + ": the schema uses \"" + k + "\", which this check does not know");
            }
        });
        for (JsonNode part : schema.path("allOf")) {
            check(part, value, at, out);
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            JsonNode options = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
            int matching = 0;
            List<String> why = new ArrayList<>();
            for (JsonNode option : options) {
                List<String> p = new ArrayList<>();
                check(option, value, at, p);
                matching += p.isEmpty() ? 1 : 0;
                why.addAll(p);
            }
            if (matching == 0 || (schema.has("oneOf") && matching > 1)) {
                out.add(at + ": matches " + matching + " of the " + options.size() + " alternatives " + why);
            }
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
            out.add(at + ": expected type " + schema.get("type") + " but got " + value.getNodeType() + " " + value);
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            out.add(at + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            out.add(at + ": expected " + schema.get("const") + " but got " + value);
        }
        if (value.isObject()) {
            for (JsonNode name : schema.path("required")) {
                if (!value.has(name.asText())) {
                    out.add(at + ": required property \"" + name.asText() + "\" is missing in " + value);
                }
            }
            schema.path("properties").fields().forEachRemaining(p -> {
                if (value.has(p.getKey())) {
                    check(p.getValue(), value.get(p.getKey()), at + "." + p.getKey(), out);
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), at + "[" + i + "]", out);
            }
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    private static boolean contains(JsonNode list, JsonNode value) {
        for (JsonNode v : list) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
