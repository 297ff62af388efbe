package dev.selfsup.eval;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns each evaluation protocol's outcome into a {@link Results} record: its metric and protocol
 * names, its hyper-parameter table and the date. The public entry points are {@link
 * Results#linearProbe}, {@link Results#fineTune} and {@link Results#knn}.
 */
final class ProtocolResults {
    private ProtocolResults() {}

    /** See {@link Results#linearProbe}. */
    static Results linearProbe(ProbeResult r, Results.Dataset dataset, Results.Weights weights) {
        Map<String, Object> hp = new LinkedHashMap<>(r.protocol().hyperParameters());
        hp.put("seed", r.seed());
        return new Results(
                "linear_top1",
                r.lastTop1(),
                new Results.Protocol("linear/" + r.protocol().name(), hp),
                dataset,
                weights,
                now(),
                r.lastTop1(),
                r.lastTop5(),
                r.bestEpoch(),
                r.bestTop1(),
                r.bestTop5(),
                r.lastEpoch(),
                null);
    }

    /** See {@link Results#fineTune}. */
    static Results fineTune(ProbeResult r, Results.Dataset dataset, Results.Weights weights) {
        Results linear = linearProbe(r, dataset, weights);
        Map<String, Object> hp = new LinkedHashMap<>(linear.protocol().hyperParameters());
        hp.put("trained", "backbone (training mode) + linear classifier, end to end");
        hp.put("weight_decay_on", "all parameters");
        return linear.copy(
                "finetune_top1",
                new Results.Protocol("finetune/" + r.protocol().name(), hp),
                linear.split());
    }

    /** See {@link Results#knn}. */
    static Results knn(Knn.Score s, Results.Dataset dataset, Results.Weights weights) {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("k", s.k());
        hp.put("temperature", s.temperature());
        hp.put("features", "l2-normalised, cosine similarity");
        hp.put("vote", "sum of exp(sim / temperature) per class over the k nearest");
        return new Results(
                "knn_top1",
                s.top1(),
                new Results.Protocol("knn", hp),
                dataset,
                weights,
                now(),
                s.top1(),
                s.top5(),
                null,
                null,
                null,
                null,
                null);
    }

    private static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
