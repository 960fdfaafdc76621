//! `callcube serve`: the warehouse over Arrow Flight SQL, read-only, for SQL
//! clients (ADBC, JDBC tools such as DBeaver) and reporting tools.
//!
//! The session is the one `callcube sql` builds, narrowed to the PII-free
//! tables unless the operator passes `--include-raw`. SIGTERM or Ctrl-C stops
//! accepting calls, lets running ones finish, and exits.

mod service;
pub mod tokens;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use arrow_flight::flight_service_server::FlightServiceServer;

use crate::engine::audience::{Audience, read_session};
pub use service::Limits;
use tokens::Tokens;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on; port 0 picks a free one (printed at start).
    pub listen: SocketAddr,
    pub audience: Audience,
    pub limits: Limits,
    pub tokens: Tokens,
}

/// A server log line on stderr, whatever the verbosity: the operator's record
/// of who ran what.
pub(crate) fn log(line: String) {
    eprintln!("{} serve: {line}", chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f"));
}

/// Serve the warehouse at `root` until SIGTERM or Ctrl-C.
pub async fn serve(root: &Path, options: ServeOptions) -> Result<()> {
    if !options.tokens.required() && options.audience == Audience::Engineers {
        bail!(
            "--include-raw serves caller numbers and names: it needs client tokens ({}), \
             even on loopback, where any local user could connect",
            tokens::ENV_TOKENS
        );
    }
    if !options.tokens.required() && !options.listen.ip().is_loopback() {
        bail!(
            "no client token is configured ({}), so the server only listens on loopback; \
             set tokens to listen on {}",
            tokens::ENV_TOKENS,
            options.listen
        );
    }
    let (ctx, tables) = read_session(root, options.audience).await?;
    if options.audience == Audience::Engineers {
        log(
            "--include-raw: raw, rejects and ledger tables are served (caller numbers, agent names, file names)".into(),
        );
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("listening on {}", options.listen))?;
    let addr = listener.local_addr()?;
    log(format!(
        "listening on {addr}: {} tables, {} auth, {} MiB and {} s per query, {} queries at once",
        tables.len() + 1,
        if options.tokens.required() {
            "bearer-token"
        } else {
            "no (loopback)"
        },
        options.limits.query_memory / (1024 * 1024),
        options.limits.query_timeout.as_secs(),
        options.limits.max_queries
    ));
    let service = service::Service::new(ctx, options.tokens, options.limits);
    tonic::transport::Server::builder()
        .add_service(FlightServiceServer::new(service))
        .serve_with_incoming_shutdown(tokio_stream_of(listener), shutdown_signal())
        .await
        .context("serving Flight SQL")?;
    log("stopped".into());
    Ok(())
}

/// The accepted connections of `listener`, as tonic takes them.
fn tokio_stream_of(
    listener: tokio::net::TcpListener,
) -> impl futures::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    futures::stream::unfold(listener, |listener| async move {
        let conn = listener.accept().await.map(|(stream, _)| stream);
        Some((conn, listener))
    })
}

/// Resolves at SIGTERM (a service manager stopping us) or Ctrl-C.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = terminate => {},
        _ = tokio::signal::ctrl_c() => {},
    }
    log("shutting down: no new calls, running ones finish".into());
}

/// The default per-query limits.
pub const DEFAULT_QUERY_MEMORY_MB: u64 = 1024;
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEFAULT_MAX_QUERIES: u64 = 4;
