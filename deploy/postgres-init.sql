-- One Postgres for the product and for Temporal, each with its own role and databases.
CREATE ROLE temporal LOGIN PASSWORD 'temporal' CREATEDB;
CREATE ROLE contracts LOGIN PASSWORD 'contracts';
CREATE DATABASE contracts OWNER contracts;
