package dev.ingest.engine;

import java.util.concurrent.CompletableFuture;

/**
 * The answer of {@link IngestEngine#submit}: whether the request was taken and, when it was, its
 * outcome.
 *
 * @param admission whether it was taken, or why not
 * @param result    when {@linkplain Admission#ACCEPTED accepted}: completes after the accepted rows
 *                  are committed, with the per-record outcome, or exceptionally with
 *                  {@link IngestException} when the engine could not write them at all. Completed
 *                  on an engine writer thread (callers hop to their own before heavy work). Null
 *                  when refused.
 */
public record Submission(Admission admission, CompletableFuture<IngestResult> result) {
    public boolean accepted() {
        return admission == Admission.ACCEPTED;
    }
}
