package dev.ingest.engine.internal.write;

/**
 * How many statements isolating the refused records of one request may cost within a batch
 * transaction: {@code 16 * (ceil(log2(rows + 1)) + 1)}, so 224 for 5,000 records. That is enough
 * to bisect a handful of bad records out of a request exactly (each costs about
 * {@code 2 log2(rows)} statements), and it bounds what one request's bad data adds to the commit
 * of every other request sharing its batch: O(log n) statements instead of O(n).
 *
 * <p>Past the budget, the request's records that are still undecided are refused in one step,
 * each with the SQLSTATE and message of the failure of the part it was in, and a message saying it
 * was not tried alone. Refusing them is truthful (they are not committed), and naming them lets
 * the client resend them after fixing the bad records.
 *
 * <p>Not thread-safe: one per request per isolating transaction.
 */
final class IsolationBudget {
    private final int limit;
    private int spent;

    private IsolationBudget(int limit) {
        this.limit = limit;
    }

    /** The budget of a request of {@code rows} records. */
    static IsolationBudget forRows(int rows) {
        return new IsolationBudget(statementsFor(rows));
    }

    static int statementsFor(int rows) {
        int depth = 32 - Integer.numberOfLeadingZeros(Math.max(0, rows));
        return 16 * (depth + 1);
    }

    /** Counts one statement sent for this request. */
    void spend() {
        spent++;
    }

    /** Whether no further isolation statement may be sent for this request. */
    boolean exhausted() {
        return spent >= limit;
    }

    int limit() {
        return limit;
    }
}
