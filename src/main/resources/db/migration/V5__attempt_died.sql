-- Whether an attempt ended with its worker's death (found RUNNING under that worker when it started again), as
-- opposed to a clean release or a final state: quarantine counts deaths, not attempts.
alter table job_attempt add column died boolean default false not null;
