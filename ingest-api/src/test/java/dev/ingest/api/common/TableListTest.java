package dev.ingest.api.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableListTest {
    @Test
    void commasInsideQuotesBelongToTheName() {
        assertThat(TableList.split(List.of("events,public.\"a,b\"", "x.\"y\"\"z\", ,c")))
                .containsExactly("events", "public.\"a,b\"", "x.\"y\"\"z\"", "c");
    }

    @Test
    void anUnbalancedQuoteIsLeftInItsNameForTheNameCheckToRefuse() {
        assertThat(TableList.split(List.of("public.\"unbalanced,b"))).containsExactly("public.\"unbalanced,b");
    }
}
