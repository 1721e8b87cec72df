package io.l0sparsify.model;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/** SQL for the uploaded_model table. */
interface ModelRepository extends ListCrudRepository<UploadedModel, Long> {

    @Query("select * from uploaded_model where id = :id")
    Optional<UploadedModel> findModel(String id);

    @Query("select * from uploaded_model where seq < :before order by seq desc limit :limit")
    List<UploadedModel> page(long before, int limit);

    @Query("select * from uploaded_model where owner = :owner and seq < :before order by seq desc limit :limit")
    List<UploadedModel> pageOwned(String owner, long before, int limit);

    @Query("select coalesce(sum(upload_size), 0) from uploaded_model where owner = :owner")
    long storedBytes(String owner);

    @Modifying
    @Query("delete from uploaded_model where id = :id")
    int deleteModel(String id);
}
