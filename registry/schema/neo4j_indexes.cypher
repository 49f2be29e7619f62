// Indexes beyond the key constraints. Applied idempotently at start-up, one statement per `;`.

// Name search: `_search` holds the lower-cased display name; CONTAINS uses a text index.
CREATE TEXT INDEX data_element_search IF NOT EXISTS FOR (n:DataElement) ON (n._search);
CREATE TEXT INDEX dataset_search IF NOT EXISTS FOR (n:Dataset) ON (n._search);
CREATE TEXT INDEX department_search IF NOT EXISTS FOR (n:Department) ON (n._search);
CREATE TEXT INDEX field_search IF NOT EXISTS FOR (n:Field) ON (n._search);
CREATE TEXT INDEX import_batch_search IF NOT EXISTS FOR (n:ImportBatch) ON (n._search);
CREATE TEXT INDEX interface_search IF NOT EXISTS FOR (n:Interface) ON (n._search);
CREATE TEXT INDEX need_search IF NOT EXISTS FOR (n:Need) ON (n._search);
CREATE TEXT INDEX project_search IF NOT EXISTS FOR (n:Project) ON (n._search);
CREATE TEXT INDEX sharing_request_search IF NOT EXISTS FOR (n:SharingRequest) ON (n._search);
CREATE TEXT INDEX system_search IF NOT EXISTS FOR (n:System) ON (n._search);

// History of a node and of the edges that touch it (registry show, GraphQL history).
CREATE INDEX history_node IF NOT EXISTS FOR (h:_History) ON (h.node_label, h.node_key);
CREATE INDEX history_src IF NOT EXISTS FOR (h:_History) ON (h.src_label, h.src_key);
CREATE INDEX history_dst IF NOT EXISTS FOR (h:_History) ON (h.dst_label, h.dst_key);

// The change feed: batches by time, history by batch.
CREATE INDEX batch_at IF NOT EXISTS FOR (b:_Batch) ON (b.at);
CREATE INDEX history_batch IF NOT EXISTS FOR (h:_History) ON (h.batch);

// The change feed's creations (`node_created_in`): nodes by the batch that created them.
CREATE INDEX data_element_created IF NOT EXISTS FOR (n:DataElement) ON (n._created);
CREATE INDEX dataset_created IF NOT EXISTS FOR (n:Dataset) ON (n._created);
CREATE INDEX department_created IF NOT EXISTS FOR (n:Department) ON (n._created);
CREATE INDEX field_created IF NOT EXISTS FOR (n:Field) ON (n._created);
CREATE INDEX import_batch_created IF NOT EXISTS FOR (n:ImportBatch) ON (n._created);
CREATE INDEX interface_created IF NOT EXISTS FOR (n:Interface) ON (n._created);
CREATE INDEX need_created IF NOT EXISTS FOR (n:Need) ON (n._created);
CREATE INDEX project_created IF NOT EXISTS FOR (n:Project) ON (n._created);
CREATE INDEX review_created IF NOT EXISTS FOR (n:Review) ON (n._created);
CREATE INDEX sharing_request_created IF NOT EXISTS FOR (n:SharingRequest) ON (n._created);
CREATE INDEX system_created IF NOT EXISTS FOR (n:System) ON (n._created);
