package dev.ingest.api.config;

/**
 * How a streamed (NDJSON, CSV) body is cut into engine requests as it arrives. None has a key in
 * the config file: they are tunables of the code, fixed at these defaults.
 *
 * @param segmentRows       records per engine request of a stream, at most; default 2000
 * @param segmentBytes      bytes of body text per engine request of a stream, at most; default 4 MiB
 * @param expansionEstimate decoded records take about this many times the bytes of their text (an
 *                          upper estimate, reserved from the memory budget before decoding); default 3
 * @param replayLimitBytes  bytes of the body's start kept to decode it again after a catalog refresh;
 *                          default 64 KiB
 */
public record StreamingConfig(int segmentRows, long segmentBytes, long expansionEstimate, long replayLimitBytes) {

    /** Every default. */
    public static final StreamingConfig DEFAULTS = new StreamingConfig(2000, 4L * 1024 * 1024, 3, 64 * 1024);

    public StreamingConfig {
        Positive.count("segmentRows", segmentRows);
        Positive.count("segmentBytes", segmentBytes);
        Positive.count("expansionEstimate", expansionEstimate);
        Positive.count("replayLimitBytes", replayLimitBytes);
    }
}
