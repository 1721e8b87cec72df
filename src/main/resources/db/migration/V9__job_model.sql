-- The uploaded model a job fine-tunes (its `model:ID` reference), so that deleting a model can find the queued
-- and running jobs that still need it exactly, as V6 does for datasets.
alter table job add column model_id varchar(36);
create index job_model_state on job (model_id, state);
