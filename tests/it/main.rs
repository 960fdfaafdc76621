//! Integration tests: one binary, so DataFusion is linked once.

mod alerts;
mod cli;
mod common;
mod config;
mod determinism;
mod fixture;
mod generator;
mod incremental;
mod landing;
mod metrics_agent_time;
mod metrics_business;
mod metrics_legs;
mod metrics_operational;
mod models;
mod models_marketing;
mod models_performance;
mod models_staffing;
mod models_tags;
mod models_traffic_value;
mod operations;
mod readers;
mod restatement;
mod rollup;
