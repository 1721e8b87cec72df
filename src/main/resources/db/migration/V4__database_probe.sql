-- One row that readiness updates: a database that can be read but not written (a full disk) is not ready.
create table database_probe (
    id     int primary key,
    probes bigint not null
);
insert into database_probe (id, probes) values (1, 0);
