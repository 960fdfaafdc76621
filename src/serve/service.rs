//! The Flight SQL service: statements, prepared statements with parameters and
//! the metadata calls SQL clients make (catalogs, schemas, tables, table types,
//! SQL info), over a read-only DataFusion session.
//!
//! Every request is authorized (see [`super::tokens`]); every query runs in a
//! session of its own whose memory pool holds `query_memory` bytes and does not
//! spill, and its stream ends with an error once `query_timeout` has passed.
//! Prepared statements are stateless: the handle carries the SQL and the bound
//! parameters, so nothing is kept per client.

use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::sql::metadata::{SqlInfoData, SqlInfoDataBuilder};
use arrow_flight::sql::server::{FlightSqlService, PeekableFlightDataStream};
use arrow_flight::sql::{
    ActionClosePreparedStatementRequest, ActionCreatePreparedStatementRequest, ActionCreatePreparedStatementResult,
    Any, CommandGetCatalogs, CommandGetDbSchemas, CommandGetSqlInfo, CommandGetTableTypes, CommandGetTables,
    CommandPreparedStatementQuery, CommandPreparedStatementUpdate, CommandStatementQuery, CommandStatementUpdate,
    DoPutPreparedStatementResult, ProstMessageExt, SqlInfo, TicketStatementQuery,
};
use arrow_flight::{
    FlightDescriptor, FlightEndpoint, FlightInfo, HandshakeRequest, HandshakeResponse, IpcMessage, SchemaAsIpc, Ticket,
};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::ipc::writer::IpcWriteOptions;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::datasource::TableType;
use datafusion::error::DataFusionError;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use futures::{Stream, StreamExt, TryStreamExt};
use prost::Message;
use prost::bytes::Bytes;
use tonic::{Request, Response, Status, Streaming};

use super::tokens::Tokens;

/// Limits every query runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of the query's memory pool; past it the query fails (it does not spill).
    pub query_memory: usize,
    /// Wall time from the start of a query's execution (planning included) to
    /// the end of its results.
    pub query_timeout: Duration,
    /// Queries running at once; more wait (within their deadline) for a slot.
    pub max_queries: usize,
}

/// The Flight SQL service over a warehouse session.
pub struct Service {
    /// The tables and functions every query session starts from.
    base: SessionContext,
    tokens: Tokens,
    limits: Limits,
    /// One permit per query running: the server's memory is at most
    /// `max_queries` × `query_memory`.
    running: Arc<tokio::sync::Semaphore>,
    sql_info: SqlInfoData,
}

type DoGetStream = <Service as FlightService>::DoGetStream;

impl Service {
    pub fn new(base: SessionContext, tokens: Tokens, limits: Limits) -> Service {
        let mut info = SqlInfoDataBuilder::new();
        info.append(SqlInfo::FlightSqlServerName, "callcube");
        info.append(SqlInfo::FlightSqlServerVersion, env!("CARGO_PKG_VERSION"));
        info.append(SqlInfo::FlightSqlServerArrowVersion, "1.3");
        info.append(SqlInfo::FlightSqlServerReadOnly, true);
        info.append(SqlInfo::FlightSqlServerSql, true);
        info.append(SqlInfo::FlightSqlServerSubstrait, false);
        info.append(SqlInfo::FlightSqlServerTransaction, 0i32);
        info.append(SqlInfo::FlightSqlServerCancel, false);
        info.append(
            SqlInfo::FlightSqlServerStatementTimeout,
            limits.query_timeout.as_millis() as i32,
        );
        info.append(SqlInfo::SqlDdlCatalog, false);
        info.append(SqlInfo::SqlDdlSchema, false);
        info.append(SqlInfo::SqlDdlTable, false);
        info.append(SqlInfo::SqlIdentifierQuoteChar, "\"");
        info.append(SqlInfo::SqlAllTablesAreSelectable, true);
        info.append(SqlInfo::SqlTransactionsSupported, false);
        Service {
            base,
            tokens,
            limits,
            running: Arc::new(tokio::sync::Semaphore::new(limits.max_queries)),
            sql_info: info.build().expect("the SQL info values are well-formed"),
        }
    }

    /// Who sent `request` (user name and address), or `unauthenticated`.
    fn caller<T>(&self, request: &Request<T>) -> Result<String, Status> {
        let header = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let peer = request.remote_addr().map_or_else(|| "?".to_string(), |a| a.to_string());
        match self.tokens.user(header) {
            Ok(user) => Ok(format!("{user}@{peer}")),
            Err(why) => {
                super::log(format!("refused a request from {peer}: {why}"));
                Err(Status::unauthenticated(why))
            }
        }
    }

    /// A session for one query: the base tables, a memory pool of its own.
    fn query_session(&self) -> Result<SessionContext, Status> {
        use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
        use datafusion::execution::memory_pool::GreedyMemoryPool;
        use datafusion::execution::runtime_env::RuntimeEnvBuilder;
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(GreedyMemoryPool::new(self.limits.query_memory)))
            // A query over the limit fails instead of filling the server's disk.
            .with_disk_manager_builder(DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled))
            .build_arc()
            .map_err(|e| Status::internal(e.to_string()))?;
        let state = SessionStateBuilder::new_from_existing(self.base.state())
            .with_runtime_env(runtime)
            .build();
        Ok(SessionContext::new_with_state(state))
    }

    /// Plan `sql`, refusing anything but a read-only query.
    async fn plan(&self, ctx: &SessionContext, sql: &str) -> Result<LogicalPlan, Status> {
        crate::engine::ensure_read_only(sql).map_err(|e| Status::invalid_argument(e.to_string()))?;
        let plan = ctx.state().create_logical_plan(sql).await.map_err(to_status)?;
        SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false)
            .verify_plan(&plan)
            .map_err(|e| Status::invalid_argument(format!("only queries can run here: {e}")))?;
        Ok(plan)
    }

    /// Plan `sql` for a FlightInfo, logging a refusal.
    async fn plan_logged(&self, caller: &str, ctx: &SessionContext, sql: &str) -> Result<LogicalPlan, Status> {
        self.plan(ctx, sql).await.inspect_err(|e| {
            super::log(format!("{caller} not run: {} — {}", one_line(sql), e.message()));
        })
    }

    /// Run `plan` and stream its batches as Flight data, under the limits, logged.
    ///
    /// The deadline runs from here, planning included. The query runs in a task
    /// of its own that stops at the deadline even when the client has stopped
    /// reading, so its memory is released and a shutdown is not held up.
    async fn execute(
        &self,
        caller: String,
        sql: &str,
        ctx: SessionContext,
        plan: LogicalPlan,
    ) -> Result<Response<DoGetStream>, Status> {
        let limits = self.limits;
        let deadline = tokio::time::Instant::now() + limits.query_timeout;
        let mut log = QueryLog {
            caller,
            sql: one_line(sql),
            started: Instant::now(),
            rows: 0,
            outcome: Outcome::Running,
        };
        // A slot among the queries the server runs at once, waited for until the deadline.
        let Ok(Ok(permit)) = tokio::time::timeout_at(deadline, self.running.clone().acquire_owned()).await else {
            let status = Status::resource_exhausted(format!(
                "the server ran its limit of {} queries at once (--max-queries) for the whole {} s this query may take",
                limits.max_queries,
                limits.query_timeout.as_secs()
            ));
            return Err(log.fail(status));
        };
        let schema = flight_schema(&plan);
        let planned = tokio::time::timeout_at(deadline, async {
            ctx.execute_logical_plan(plan).await?.execute_stream().await
        })
        .await;
        let mut batches = match planned {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => return Err(log.fail(query_status(e, limits))),
            Err(_) => return Err(log.fail(timeout_status(limits))),
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<RecordBatch>(2);
        let ended_with: Arc<std::sync::Mutex<Option<Status>>> = Arc::default();
        let end = ended_with.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let failure = loop {
                match tokio::time::timeout_at(deadline, batches.next()).await {
                    Err(_) => break Some(timeout_status(limits)),
                    Ok(None) => break None,
                    Ok(Some(Err(e))) => break Some(query_status(e, limits)),
                    Ok(Some(Ok(batch))) => match tokio::time::timeout_at(deadline, tx.send(batch)).await {
                        Ok(Ok(())) => {}
                        // The client hung up.
                        Ok(Err(_)) => break None,
                        // The client stopped reading.
                        Err(_) => break Some(timeout_status(limits)),
                    },
                }
            };
            *end.lock().expect("not poisoned") = failure;
            // Dropping `batches` here frees the query's memory.
        });
        let results = futures::stream::unfold(
            (rx, ended_with, log, false),
            |(mut rx, ended_with, mut log, done)| async move {
                if done {
                    return None;
                }
                if let Some(batch) = rx.recv().await {
                    log.rows += batch.num_rows() as u64;
                    return Some((Ok(batch), (rx, ended_with, log, false)));
                }
                let failure = ended_with.lock().expect("not poisoned").take();
                match failure {
                    Some(status) => {
                        let status = log.fail(status);
                        Some((Err(FlightError::Tonic(Box::new(status))), (rx, ended_with, log, true)))
                    }
                    None => {
                        log.finish();
                        None
                    }
                }
            },
        );
        let stream = FlightDataEncoderBuilder::new()
            .with_schema(schema)
            .build(results)
            .map_err(Status::from);
        Ok(Response::new(Box::pin(stream)))
    }

    /// A FlightInfo whose one endpoint's ticket is `ticket`.
    fn flight_info(
        schema: &Schema,
        ticket: Vec<u8>,
        descriptor: FlightDescriptor,
    ) -> Result<Response<FlightInfo>, Status> {
        let info = FlightInfo::new()
            .try_with_schema(schema)
            .map_err(|e| Status::internal(e.to_string()))?
            .with_endpoint(FlightEndpoint::new().with_ticket(Ticket::new(ticket)))
            .with_descriptor(descriptor);
        Ok(Response::new(info))
    }

    /// The FlightInfo of a metadata command: its result schema, and the command
    /// itself as the ticket to fetch it with.
    fn metadata_info(
        &self,
        request: Request<FlightDescriptor>,
        schema: SchemaRef,
        command: Any,
    ) -> Result<Response<FlightInfo>, Status> {
        self.caller(&request)?;
        Self::flight_info(&schema, command.encode_to_vec(), request.into_inner())
    }

    /// One record batch as a DoGet stream.
    fn one_batch(schema: SchemaRef, batch: Result<RecordBatch, FlightError>) -> Response<DoGetStream> {
        let stream = FlightDataEncoderBuilder::new()
            .with_schema(schema)
            .build(futures::stream::once(async move { batch }))
            .map_err(Status::from);
        Response::new(Box::pin(stream))
    }
}

/// The schema clients are told, as the encoder will send it (clients such as
/// ADBC refuse a stream whose schema differs from the FlightInfo's).
fn flight_schema(plan: &LogicalPlan) -> SchemaRef {
    let schema = Arc::new(plan.schema().as_arrow().clone());
    FlightDataEncoderBuilder::new()
        .with_schema(schema)
        .build(futures::stream::iter([]))
        .known_schema()
        .expect("the schema was given")
}

/// A DataFusion error as the status a client sees; running out of the query's
/// memory says which limit it hit.
fn query_status(e: DataFusionError, limits: Limits) -> Status {
    match e.find_root() {
        DataFusionError::ResourcesExhausted(msg) => Status::resource_exhausted(format!(
            "the query needs more memory than the server allows per query ({} MiB, --query-memory-mb): {msg}",
            limits.query_memory / (1024 * 1024)
        )),
        _ => to_status(e),
    }
}

fn timeout_status(limits: Limits) -> Status {
    Status::deadline_exceeded(format!(
        "the query ran past the server's limit of {} s (--query-timeout-s)",
        limits.query_timeout.as_secs()
    ))
}

fn to_status(e: DataFusionError) -> Status {
    match e.find_root() {
        DataFusionError::Plan(_) | DataFusionError::SQL(..) | DataFusionError::SchemaError(..) => {
            Status::invalid_argument(e.to_string())
        }
        _ => Status::internal(e.to_string()),
    }
}

/// A table type by the names JDBC and ODBC clients know.
fn jdbc_table_type(t: TableType) -> &'static str {
    match t {
        TableType::Base => "TABLE",
        TableType::View => "VIEW",
        TableType::Temporary => "LOCAL TEMPORARY",
    }
}

/// A query's SQL on one line, at most 300 characters, for the log.
fn one_line(sql: &str) -> String {
    let line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        line.chars().take(300).collect::<String>() + "…"
    } else {
        line
    }
}

/// One log line per query, written when its stream ends or is dropped.
struct QueryLog {
    caller: String,
    sql: String,
    started: Instant,
    rows: u64,
    outcome: Outcome,
}

enum Outcome {
    /// Still streaming: dropped in this state, the client went away.
    Running,
    Finished,
    Failed(String),
}

impl QueryLog {
    /// Record that every result was sent (logged when the log drops).
    fn finish(&mut self) {
        self.outcome = Outcome::Finished;
    }

    /// Record `status` as the query's end and return it.
    fn fail(&mut self, status: Status) -> Status {
        self.outcome = Outcome::Failed(status.message().to_string());
        status
    }
}

impl Drop for QueryLog {
    fn drop(&mut self) {
        let ms = self.started.elapsed().as_millis();
        let (who, rows, sql) = (&self.caller, self.rows, &self.sql);
        super::log(match &self.outcome {
            Outcome::Finished => format!("{who} ok in {ms} ms, {rows} rows: {sql}"),
            Outcome::Running => format!("{who} hung up after {ms} ms and {rows} rows: {sql}"),
            Outcome::Failed(e) => format!("{who} failed in {ms} ms after {rows} rows: {sql} — {e}"),
        });
    }
}

/// A prepared statement's handle: the SQL and, once bound, its parameters as
/// an Arrow IPC stream. `u32` length of the SQL (big-endian), SQL, parameters.
struct Prepared {
    sql: String,
    parameters: Option<Bytes>,
}

impl Prepared {
    fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(4 + self.sql.len());
        out.extend_from_slice(&(self.sql.len() as u32).to_be_bytes());
        out.extend_from_slice(self.sql.as_bytes());
        if let Some(p) = &self.parameters {
            out.extend_from_slice(p);
        }
        out.into()
    }

    fn decode(handle: &[u8]) -> Result<Prepared, Status> {
        let bad = || Status::invalid_argument("not a prepared statement handle of this server");
        let len = u32::from_be_bytes(handle.get(..4).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
        let sql = handle.get(4..4 + len).ok_or_else(bad)?;
        let rest = &handle[4 + len..];
        Ok(Prepared {
            sql: String::from_utf8(sql.to_vec()).map_err(|_| bad())?,
            parameters: (!rest.is_empty()).then(|| Bytes::copy_from_slice(rest)),
        })
    }

    /// The plan with the bound parameters filled in (`$1`, `$2` … by position),
    /// each cast to the type the query gives its placeholder.
    fn bind(&self, plan: LogicalPlan) -> Result<LogicalPlan, Status> {
        let Some(ipc) = &self.parameters else { return Ok(plan) };
        let reader = datafusion::arrow::ipc::reader::StreamReader::try_new(ipc.as_ref(), None)
            .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
        let batches: Vec<RecordBatch> = reader
            .collect::<Result<_, _>>()
            .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
        let Some(row) = batches.iter().find(|b| b.num_rows() > 0) else {
            return Ok(plan);
        };
        let types = plan.get_parameter_types().map_err(to_status)?;
        let mut values = Vec::new();
        for (i, column) in row.columns().iter().enumerate() {
            let mut v = ScalarValue::try_from_array(column, 0).map_err(to_status)?;
            if let Some(Some(t)) = types.get(&format!("${}", i + 1)) {
                v = v.cast_to(t).map_err(to_status)?;
            }
            values.push(v);
        }
        plan.with_param_values(values).map_err(to_status)
    }
}

fn encode_schema(schema: &Schema) -> Result<Bytes, Status> {
    let IpcMessage(bytes) = SchemaAsIpc::new(schema, &IpcWriteOptions::default())
        .try_into()
        .map_err(|e: datafusion::arrow::error::ArrowError| Status::internal(e.to_string()))?;
    Ok(bytes)
}

/// The schema of the query's parameters, `$1`, `$2` … in order.
fn parameter_schema(plan: &LogicalPlan) -> Result<Schema, Status> {
    let mut params: Vec<(String, _)> = plan.get_parameter_types().map_err(to_status)?.into_iter().collect();
    params.sort_by_key(|(name, _)| name.trim_start_matches('$').parse::<usize>().unwrap_or(usize::MAX));
    let fields = params
        .into_iter()
        .map(|(name, t)| {
            let t = t.ok_or_else(|| {
                Status::invalid_argument(format!("the type of parameter {name} cannot be told from the query"))
            })?;
            Ok(datafusion::arrow::datatypes::Field::new(name, t, true))
        })
        .collect::<Result<Vec<_>, Status>>()?;
    Ok(Schema::new(fields))
}

#[tonic::async_trait]
impl FlightSqlService for Service {
    type FlightService = Service;

    async fn do_handshake(
        &self,
        request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Pin<Box<dyn Stream<Item = Result<HandshakeResponse, Status>> + Send>>>, Status> {
        // Authentication is the bearer header of every call; a handshake only checks it.
        self.caller(&request)?;
        let reply = HandshakeResponse {
            protocol_version: 0,
            payload: Bytes::new(),
        };
        Ok(Response::new(Box::pin(futures::stream::once(async { Ok(reply) }))))
    }

    async fn get_flight_info_statement(
        &self,
        query: CommandStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let caller = self.caller(&request)?;
        let ctx = self.query_session()?;
        let plan = self.plan_logged(&caller, &ctx, &query.query).await?;
        let ticket = TicketStatementQuery {
            statement_handle: Bytes::from(query.query.into_bytes()),
        };
        Self::flight_info(
            &flight_schema(&plan),
            ticket.as_any().encode_to_vec(),
            request.into_inner(),
        )
    }

    async fn do_get_statement(
        &self,
        ticket: TicketStatementQuery,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let caller = self.caller(&request)?;
        let sql = String::from_utf8(ticket.statement_handle.to_vec())
            .map_err(|_| Status::invalid_argument("the statement handle is not text"))?;
        let ctx = self.query_session()?;
        let plan = self.plan_logged(&caller, &ctx, &sql).await?;
        self.execute(caller, &sql, ctx, plan).await
    }

    async fn do_action_create_prepared_statement(
        &self,
        query: ActionCreatePreparedStatementRequest,
        request: Request<arrow_flight::Action>,
    ) -> Result<ActionCreatePreparedStatementResult, Status> {
        let caller = self.caller(&request)?;
        let ctx = self.query_session()?;
        let plan = self.plan_logged(&caller, &ctx, &query.query).await?;
        Ok(ActionCreatePreparedStatementResult {
            prepared_statement_handle: Prepared {
                sql: query.query,
                parameters: None,
            }
            .encode(),
            dataset_schema: encode_schema(&flight_schema(&plan))?,
            parameter_schema: encode_schema(&parameter_schema(&plan)?)?,
        })
    }

    async fn do_put_prepared_statement_query(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<DoPutPreparedStatementResult, Status> {
        self.caller(&request)?;
        let mut prepared = Prepared::decode(&query.prepared_statement_handle)?;
        // The bound values, re-encoded as one IPC stream inside the new handle.
        let batches: Vec<RecordBatch> = arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(
            request.into_inner().map_err(|s| FlightError::Tonic(Box::new(s))),
        )
        .try_collect()
        .await
        .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
        if batches.iter().map(RecordBatch::num_rows).sum::<usize>() > 1 {
            return Err(Status::invalid_argument("bind one row of parameters at a time"));
        }
        if let Some(first) = batches.first() {
            let mut ipc = Vec::new();
            let mut writer = datafusion::arrow::ipc::writer::StreamWriter::try_new(&mut ipc, &first.schema())
                .map_err(|e| Status::internal(e.to_string()))?;
            for b in &batches {
                writer.write(b).map_err(|e| Status::internal(e.to_string()))?;
            }
            writer.finish().map_err(|e| Status::internal(e.to_string()))?;
            prepared.parameters = Some(ipc.into());
        }
        Ok(DoPutPreparedStatementResult {
            prepared_statement_handle: Some(prepared.encode()),
        })
    }

    async fn get_flight_info_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let caller = self.caller(&request)?;
        let prepared = Prepared::decode(&query.prepared_statement_handle)?;
        let ctx = self.query_session()?;
        let plan = prepared.bind(self.plan_logged(&caller, &ctx, &prepared.sql).await?)?;
        Self::flight_info(
            &flight_schema(&plan),
            query.as_any().encode_to_vec(),
            request.into_inner(),
        )
    }

    async fn do_get_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let caller = self.caller(&request)?;
        let prepared = Prepared::decode(&query.prepared_statement_handle)?;
        let ctx = self.query_session()?;
        let plan = prepared.bind(self.plan_logged(&caller, &ctx, &prepared.sql).await?)?;
        self.execute(caller, &prepared.sql, ctx, plan).await
    }

    async fn do_action_close_prepared_statement(
        &self,
        _query: ActionClosePreparedStatementRequest,
        request: Request<arrow_flight::Action>,
    ) -> Result<(), Status> {
        // Stateless handles: nothing to free.
        self.caller(&request)?;
        Ok(())
    }

    async fn do_put_statement_update(
        &self,
        query: CommandStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let caller = self.caller(&request)?;
        super::log(format!("{caller} not run: {} — read-only", one_line(&query.query)));
        Err(Status::permission_denied(
            "the warehouse is read-only here: only queries can run",
        ))
    }

    async fn do_put_prepared_statement_update(
        &self,
        _query: CommandPreparedStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        self.caller(&request)?;
        Err(Status::permission_denied(
            "the warehouse is read-only here: only queries can run",
        ))
    }

    async fn get_flight_info_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(request, query.into_builder().schema(), query.as_any())
    }

    async fn do_get_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        let mut builder = query.into_builder();
        for name in self.base.catalog_names() {
            builder.append(name);
        }
        Ok(Self::one_batch(builder.schema(), builder.build()))
    }

    async fn get_flight_info_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(request, query.clone().into_builder().schema(), query.as_any())
    }

    async fn do_get_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        // Every catalog when the request names none (JDBC tools ask so); the
        // builder applies the catalog and schema filters.
        let mut builder = query.into_builder();
        for catalog_name in self.base.catalog_names() {
            if let Some(catalog) = self.base.catalog(&catalog_name) {
                for schema_name in catalog.schema_names() {
                    builder.append(&catalog_name, schema_name);
                }
            }
        }
        Ok(Self::one_batch(builder.schema(), builder.build()))
    }

    async fn get_flight_info_tables(
        &self,
        query: CommandGetTables,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(request, query.clone().into_builder().schema(), query.as_any())
    }

    async fn do_get_tables(
        &self,
        query: CommandGetTables,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        let mut builder = query.into_builder();
        for catalog_name in self.base.catalog_names() {
            let Some(catalog) = self.base.catalog(&catalog_name) else {
                continue;
            };
            for schema_name in catalog.schema_names() {
                let Some(schema) = catalog.schema(&schema_name) else {
                    continue;
                };
                let mut names = schema.table_names();
                names.sort();
                for table_name in names {
                    if let Some(table) = schema.table(&table_name).await.map_err(to_status)? {
                        builder
                            .append(
                                &catalog_name,
                                &schema_name,
                                &table_name,
                                jdbc_table_type(table.table_type()),
                                &table.schema(),
                            )
                            .map_err(|e| Status::internal(e.to_string()))?;
                    }
                }
            }
        }
        Ok(Self::one_batch(builder.schema(), builder.build()))
    }

    async fn get_flight_info_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(request, query.into_builder().schema(), query.as_any())
    }

    async fn do_get_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        let mut builder = query.into_builder();
        for t in [TableType::Base, TableType::View] {
            builder.append(jdbc_table_type(t));
        }
        Ok(Self::one_batch(builder.schema(), builder.build()))
    }

    async fn get_flight_info_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(
            request,
            query.clone().into_builder(&self.sql_info).schema(),
            query.as_any(),
        )
    }

    async fn do_get_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        let builder = query.into_builder(&self.sql_info);
        Ok(Self::one_batch(builder.schema(), builder.build()))
    }

    async fn do_get_fallback(&self, request: Request<Ticket>, message: Any) -> Result<Response<DoGetStream>, Status> {
        self.caller(&request)?;
        Err(Status::unimplemented(format!(
            "callcube serve does not answer {}",
            message.type_url
        )))
    }

    async fn register_sql_info(&self, _id: i32, _result: &SqlInfo) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_handle_keeps_its_sql_and_parameters() {
        let p = Prepared {
            sql: "select $1".into(),
            parameters: Some(Bytes::from_static(b"\x01\x02")),
        };
        let back = Prepared::decode(&p.encode()).unwrap();
        assert_eq!(
            (back.sql.as_str(), back.parameters.as_deref()),
            ("select $1", Some(&b"\x01\x02"[..]))
        );
        assert!(Prepared::decode(b"\x00\x00\x00\x09abc").is_err());
        let unbound = Prepared::decode(
            &Prepared {
                sql: "select 1".into(),
                parameters: None,
            }
            .encode(),
        )
        .unwrap();
        assert!(unbound.parameters.is_none());
    }

    #[test]
    fn long_queries_log_on_one_line() {
        assert_eq!(one_line("select 1\n  from t"), "select 1 from t");
        assert_eq!(one_line(&"x ".repeat(400)).chars().count(), 301);
    }
}
