package dev.ingest.api.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM heap {@code ingest serve} needs for its memory budget, and the options
 * {@code scripts/ingest} starts it with: {@code -Xmx} of {@value #BUDGET_FACTOR} x the budget +
 * {@value #HEADROOM_MIB} MiB, and {@code -XX:+ExitOnOutOfMemoryError}.
 *
 * <p>Why that size: the budget bounds the records and answers the service holds, which are live
 * data; a collector needs about as much free heap again to keep up without collecting back to
 * back, hence twice the budget. The headroom covers what the budget does not count: Vert.x,
 * Netty, the pools, the catalog, decoding in progress, and the one request that may exceed the
 * budget when nothing else is held. Exiting on OutOfMemoryError (rather than going on with
 * threads that died half way) lets a supervisor restart the process; acknowledged records are
 * committed, so nothing acknowledged is lost.
 */
public final class HeapSizing {
    static final int BUDGET_FACTOR = 2;
    static final int HEADROOM_MIB = 256;
    private static final long MIB = 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(HeapSizing.class);

    private HeapSizing() {
    }

    /** The maximum heap, in MiB, for a memory budget of {@code budgetBytes}. */
    static long heapMib(long budgetBytes) {
        return BUDGET_FACTOR * ((budgetBytes + MIB - 1) / MIB) + HEADROOM_MIB;
    }

    /** The JVM options for a service with this memory budget, as {@code scripts/ingest serve} passes them. */
    static String jvmOptions(long budgetBytes) {
        return "-Xmx" + heapMib(budgetBytes) + "m -XX:+ExitOnOutOfMemoryError";
    }

    /** Logs the heap this JVM has, and warns when it is smaller than the budget needs or does not exit on OutOfMemoryError. */
    static void report(long budgetBytes) {
        long maxMib = Runtime.getRuntime().maxMemory() / MIB;
        long neededMib = heapMib(budgetBytes);
        boolean exits = exitsOnOutOfMemory();
        log.info("jvm: max_heap_mib={} needed_mib={} exit_on_out_of_memory={} (memory budget {} MiB)",
                maxMib, neededMib, exits, budgetBytes / MIB);
        // maxMemory() reports a little less than -Xmx (one survivor space), hence the 5% tolerance.
        if (maxMib < neededMib * 95 / 100) {
            log.warn("the JVM's max heap ({} MiB) is smaller than the {} MiB the memory budget needs ({} x budget + {} MiB): "
                    + "start with scripts/ingest, or give -Xmx{}m", maxMib, neededMib, BUDGET_FACTOR, HEADROOM_MIB, neededMib);
        }
        if (!exits) {
            log.warn("the JVM does not exit on OutOfMemoryError: start with scripts/ingest, or give -XX:+ExitOnOutOfMemoryError, "
                    + "so that a supervisor restarts it");
        }
    }

    private static boolean exitsOnOutOfMemory() {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("ExitOnOutOfMemoryError").getValue());
        } catch (RuntimeException e) {
            return false; // not a HotSpot JVM: the option does not exist
        }
    }
}
