package dev.ingest.engine.internal.admit;

import dev.ingest.engine.Admission;
import dev.ingest.engine.DatabaseHealth;
import dev.ingest.engine.MemoryHold;

/**
 * The {@link MemoryHold} of the engine: bytes taken from and given back to the
 * {@link MemoryBudget}, counted here so that it never gives back more than it took. Confined to
 * one thread, as its interface says.
 */
final class BudgetHold implements MemoryHold {
    private final MemoryBudget budget;
    private final DatabaseHealth health;
    private long held;

    BudgetHold(MemoryBudget budget, DatabaseHealth health) {
        this.budget = budget;
        this.health = health;
    }

    @Override
    public Admission tryTake(long bytes) {
        if (!budget.tryAcquire(bytes)) {
            return health.isUp() ? Admission.BUDGET_FULL : Admission.DATABASE_DOWN;
        }
        held += bytes;
        return Admission.ACCEPTED;
    }

    @Override
    public void take(long bytes) {
        budget.forceAcquire(bytes);
        held += bytes;
    }

    @Override
    public void release(long bytes) {
        long n = Math.min(bytes, held);
        if (n > 0) {
            held -= n;
            budget.release(n);
        }
    }

    @Override
    public void close() {
        release(held);
    }
}
