-- Where an attempt trains: the worker's placement (e.g. gpu:1, gpu:0,1, cpu); null until it has placed the job.
alter table job_attempt add column device varchar(200);
