package io.l0sparsify.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What the model table must do on every database; one subclass per database. */
abstract class ModelStoreContractTest {

    @Autowired
    ModelStore store;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void empty() {
        jdbc.sql("delete from uploaded_model").update();
    }

    @Test
    void insertedModelIsReadBackWithItsSummary() throws Exception {
        ModelGraph graph = OnnxModelReaderTest.read("resnet_small");
        UploadedModel stored = store.insert("res", "ab".repeat(32), 8736, graph, "alice");
        UploadedModel read = store.find(stored.id()).orElseThrow();
        assertThat(read).isEqualTo(stored);
        assertThat(read.state()).isEqualTo(ModelState.READY);
        assertThat(read.parameters()).isEqualTo(graph.parameters());
        assertThat(read.flops()).isEqualTo(graph.flops());
        assertThat(read.summary()).isEqualTo(ModelSummary.of(graph));
        assertThat(read.summary().layers()).hasSize(graph.nodes().size());
        assertThat(read.summary().gateGroups()).isEqualTo(graph.gateGroups());
    }

    @Test
    void pagesAreNewestFirstBeforeTheCursor() throws Exception {
        ModelGraph graph = OnnxModelReaderTest.read("mlp_gemm");
        UploadedModel a = store.insert("a", "00".repeat(32), 1, graph, "alice");
        UploadedModel b = store.insert("b", "00".repeat(32), 1, graph, "alice");
        UploadedModel c = store.insert("c", "00".repeat(32), 1, graph, "alice");
        assertThat(store.page(Long.MAX_VALUE, 2)).extracting(UploadedModel::name).containsExactly("c", "b");
        assertThat(store.page(b.seq(), 2)).extracting(UploadedModel::name).containsExactly("a");
        assertThat(List.of(a, b, c)).extracting(UploadedModel::id).doesNotHaveDuplicates();
    }

    @Test
    void deleteRemovesTheRowOnce() throws Exception {
        UploadedModel m = store.insert("m", "00".repeat(32), 1, OnnxModelReaderTest.read("mlp_matmul_add"), "alice");
        assertThat(store.delete(m.id())).isTrue();
        assertThat(store.find(m.id())).isEmpty();
        assertThat(store.delete(m.id())).isFalse();
    }
}
