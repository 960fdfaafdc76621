//! `callcube serve`: the warehouse over Arrow Flight SQL (see `crate::serve`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::sql::WarehouseFlags;
use crate::engine::audience::Audience;
use crate::serve::{
    DEFAULT_MAX_QUERIES, DEFAULT_QUERY_MEMORY_MB, DEFAULT_QUERY_TIMEOUT, Limits, ServeOptions, serve, tokens::Tokens,
};
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    at: WarehouseFlags,
    /// Address to listen on (port 0: any free port, printed at start). Other than
    /// loopback only with client tokens in CALLCUBE_SERVE_TOKENS.
    #[arg(long, default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// Also serve raw, rejects and the ledger (caller numbers, agent names, file
    /// names): for the pipeline's engineers only. Logged at start.
    #[arg(long)]
    include_raw: bool,
    /// Memory one query may use; past it the query fails with a clear error.
    #[arg(long, default_value_t = DEFAULT_QUERY_MEMORY_MB, value_parser = clap::value_parser!(u64).range(1..=1024 * 1024))]
    query_memory_mb: u64,
    /// Seconds one query may take, planning and sending its results included.
    #[arg(long, default_value_t = DEFAULT_QUERY_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    query_timeout_s: u64,
    /// Queries running at once (the server's memory is at most this × --query-memory-mb);
    /// more wait for a slot within their timeout.
    #[arg(long, default_value_t = DEFAULT_MAX_QUERIES, value_parser = clap::value_parser!(u64).range(1..=1024))]
    max_queries: u64,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let wh = Warehouse::open(&args.at.url()?)?;
    let options = ServeOptions {
        listen: args.listen,
        audience: Audience::from_include_raw(args.include_raw),
        limits: Limits {
            query_memory: usize::try_from(args.query_memory_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX),
            query_timeout: Duration::from_secs(args.query_timeout_s),
            max_queries: args.max_queries as usize,
        },
        tokens: Tokens::from_env()?,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the server runtime")?;
    runtime.block_on(serve(wh.root(), options))?;
    Ok(ExitCode::SUCCESS)
}
