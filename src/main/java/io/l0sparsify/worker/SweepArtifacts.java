package io.l0sparsify.worker;

import io.l0sparsify.job.SweepPlan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The names and documents a sweep adds to a job's artifacts. Artifact names are flat (the store allows no
 * path separator), so point N's files are its run's files prefixed {@code points-N-}; the job's own model.onnx,
 * weights.json and result.json are the selected point's, beside pareto.json, pareto.csv and pareto.svg.
 */
final class SweepArtifacts {

    static final String PARETO_JSON = "pareto.json";
    static final String PARETO_CSV = "pareto.csv";
    static final String PARETO_SVG = "pareto.svg";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private SweepArtifacts() {}

    /** The prefix of point {@code index}'s artifacts. */
    static String prefix(int index) {
        return "points-" + index + "-";
    }

    /** The name under which point {@code index} keeps its run's artifact {@code name}. */
    static String ofPoint(int index, String name) {
        return prefix(index) + name;
    }

    /**
     * A point's result.json as the publisher wrote it for a single run, made the point's: links to the point's
     * own artifacts and a {@code sweep} member saying which point it is.
     */
    static byte[] pointResult(String jobId, byte[] runResult, SweepPlan plan, int index) {
        ObjectNode root = (ObjectNode) MAPPER.readTree(runResult);
        ObjectNode sweep = sweepMember(plan, index);
        relink(root, jobId, name -> ofPoint(index, name), List.of(), sweep);
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /**
     * The job's result.json: the selected point's, linked to the job's own copies of its artifacts and to the
     * Pareto report, saying which point it is, how many were trained and why this one was chosen.
     */
    static byte[] jobResult(String jobId, byte[] pointResult, SweepPlan plan, int index, int pointsCompleted,
            String selection) {
        ObjectNode root = (ObjectNode) MAPPER.readTree(pointResult);
        String prefix = prefix(index);
        ObjectNode sweep = sweepMember(plan, index);
        sweep.put("pointsCompleted", pointsCompleted);
        sweep.put("selection", selection);
        relink(root, jobId, name -> name.startsWith(prefix) ? name.substring(prefix.length()) : name,
                List.of(PARETO_JSON, PARETO_CSV, PARETO_SVG), sweep);
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** The artifact names a point's result.json links to, in its order. */
    static List<String> linkedNames(JsonNode result) {
        List<String> names = new ArrayList<>();
        result.path("artifacts").propertyNames().forEach(names::add);
        return names;
    }

    private static ObjectNode sweepMember(SweepPlan plan, int index) {
        ObjectNode sweep = MAPPER.createObjectNode();
        sweep.put("metric", plan.metric().field());
        plan.targets().forEach(sweep.putArray("targets")::add);
        sweep.put("point", index);
        sweep.put("target", plan.targets().get(index));
        return sweep;
    }

    /** Renames every linked artifact and puts {@code sweep} just before the links, which stay last. */
    private static void relink(ObjectNode root, String jobId, UnaryOperator<String> rename,
            List<String> extra, ObjectNode sweep) {
        JsonNode old = root.remove("artifacts");
        root.remove("sweep");
        root.set("sweep", sweep);
        ObjectNode links = root.putObject("artifacts");
        List<String> names = new ArrayList<>();
        if (old != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = old.properties().iterator(); it.hasNext(); ) {
                names.add(rename.apply(it.next().getKey()));
            }
        }
        // result.json stays the last link, as in a single run's document
        String result = names.stream().filter(n -> n.endsWith(JobArtifacts.RESULT)).findFirst().orElse(null);
        names.remove(result);
        names.addAll(extra);
        if (result != null) {
            names.add(result);
        }
        for (String name : names) {
            links.put(name, "/v1/jobs/" + jobId + "/artifacts/" + name);
        }
    }
}
