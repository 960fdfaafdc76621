//! callcube: a batch data warehouse for telecom call centers, on Apache DataFusion.
//!
//! Data flows one way: inbox extracts → `raw` (typed Parquet, rejects kept) →
//! conformed → cube → marts. See `README.md` for the commands and the layout.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod docs;
pub mod engine;
pub mod erlang;
pub mod error;
pub mod generate;
pub mod ingest;
pub mod ledger;
pub mod marts;
pub mod ops;
pub mod report;
pub mod schema;
pub mod serve;
pub mod tags;
pub mod timefmt;
pub mod warehouse;
