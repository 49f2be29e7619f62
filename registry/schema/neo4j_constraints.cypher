// Uniqueness constraints on every natural key. Applied idempotently by the Neo4j store at
// start-up (registry/store/neo4j.py), one statement per `;`. Each constraint also gives the
// range index that key lookups, MERGE and the key-ordered pages of find/iter use.

CREATE CONSTRAINT data_element_key IF NOT EXISTS FOR (n:DataElement) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT dataset_key IF NOT EXISTS FOR (n:Dataset) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT department_key IF NOT EXISTS FOR (n:Department) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT field_key IF NOT EXISTS FOR (n:Field) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT import_batch_key IF NOT EXISTS FOR (n:ImportBatch) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT interface_key IF NOT EXISTS FOR (n:Interface) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT need_key IF NOT EXISTS FOR (n:Need) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT project_key IF NOT EXISTS FOR (n:Project) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT review_key IF NOT EXISTS FOR (n:Review) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT sharing_request_key IF NOT EXISTS FOR (n:SharingRequest) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT system_key IF NOT EXISTS FOR (n:System) REQUIRE n.key IS UNIQUE;

// The store's own bookkeeping: provenance batches, history entries, the version counter.
CREATE CONSTRAINT batch_id IF NOT EXISTS FOR (b:_Batch) REQUIRE b.id IS UNIQUE;
CREATE CONSTRAINT history_seq IF NOT EXISTS FOR (h:_History) REQUIRE h.seq IS UNIQUE;
CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (m:_Meta) REQUIRE m.id IS UNIQUE;
