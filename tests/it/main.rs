//! Integration tests: one binary, so DataFusion is linked once.

mod cli;
mod common;
mod config;
mod generator;
mod landing;
mod models;
