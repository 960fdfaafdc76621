//! `callcube shell`: an interactive, read-only SQL shell over the warehouse.
//!
//! On a terminal it edits lines with rustyline (history, completion of table
//! and column names); with stdin from a file or a pipe it reads statements
//! without prompts, so scripts get only the results. Statements end with `;`;
//! lines starting with `\` are shell commands (`\?` lists them).

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::Args;
use datafusion::prelude::SessionContext;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::{Context, Helper, Highlighter, Hinter, Validator};

use super::sql::{OutputFormat, WarehouseFlags, print_batches};
use crate::engine::audience::{Audience, read_session};
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct ShellArgs {
    #[command(flatten)]
    at: WarehouseFlags,
    /// Show only the PII-free tables (conformed, cube, marts, the metric catalog), as
    /// analysts and reporting tools see them.
    #[arg(long)]
    analyst: bool,
    /// Output format of query results (`\format` changes it).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

/// What `\?` prints.
const HELP: &str = "\
  SELECT …;            run a query (end it with ;, it may span lines)
  \\d                   list the tables
  \\d TABLE             the columns of TABLE and their types
  \\metrics             the metric catalog (also the table metric_catalog)
  \\timing [on|off]     print rows and elapsed time after each query (on)
  \\format table|csv|json
  \\q                   quit (also Ctrl-D)";

pub fn run(args: ShellArgs) -> Result<ExitCode> {
    let wh = Warehouse::open(&args.at.url()?)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let audience = if args.analyst {
        Audience::Analysts
    } else {
        Audience::Engineers
    };
    let (ctx, tables) = runtime.block_on(read_session(wh.root(), audience))?;
    let mut shell = Shell {
        ctx,
        runtime,
        format: args.format,
        timing: true,
        buffer: String::new(),
        failed: false,
    };
    if std::io::stdin().is_terminal() {
        let words = runtime_words(&shell, &tables)?;
        interactive(&mut shell, words, tables.len())?;
        Ok(ExitCode::SUCCESS)
    } else {
        for line in std::io::stdin().lock().lines() {
            if shell.feed(&line.context("reading stdin")?) == Step::Quit {
                break;
            }
        }
        shell.finish();
        // A script learns from the exit code that a statement failed.
        Ok(if shell.failed {
            ExitCode::from(super::EXIT_ERROR)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// The completion words: table names, their columns, SQL keywords, shell commands.
fn runtime_words(shell: &Shell, tables: &[String]) -> Result<Vec<String>> {
    let batches =
        shell.query("SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema = 'public'")?;
    let mut words: Vec<String> = tables.to_vec();
    words.push(crate::engine::audience::METRIC_CATALOG_TABLE.into());
    words.extend(super::sql::column_strings(&batches, 0));
    words.extend(SQL_WORDS.iter().map(|w| w.to_string()));
    words.extend(["\\d", "\\metrics", "\\timing", "\\format", "\\q", "\\?"].map(String::from));
    words.sort();
    words.dedup();
    Ok(words)
}

const SQL_WORDS: &[&str] = &[
    "select", "from", "where", "group", "by", "order", "having", "limit", "join", "left", "on", "as", "and", "or",
    "not", "null", "is", "in", "between", "case", "when", "then", "else", "end", "distinct", "count", "sum", "avg",
    "min", "max", "with", "union", "all", "desc", "asc", "date", "interval",
];

fn interactive(shell: &mut Shell, words: Vec<String>, tables: usize) -> Result<()> {
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: rustyline::Editor<Completion, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config).context("starting the line editor")?;
    editor.set_helper(Some(Completion { words }));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!("callcube shell: {tables} tables, read-only. \\? for help, \\q to quit.");
    loop {
        let prompt = if shell.buffer.is_empty() {
            "callcube> "
        } else {
            "      -> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if shell.feed(&line) == Step::Quit {
                    break;
                }
            }
            // Ctrl-C drops the statement being typed, as in psql.
            Err(ReadlineError::Interrupted) => shell.buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// `CALLCUBE_HISTORY`, else `~/.callcube_history`; none without a home.
fn history_file() -> Option<PathBuf> {
    std::env::var_os("CALLCUBE_HISTORY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".callcube_history")))
}

#[derive(Debug, PartialEq, Eq)]
enum Step {
    Continue,
    Quit,
}

struct Shell {
    ctx: SessionContext,
    runtime: tokio::runtime::Runtime,
    format: OutputFormat,
    timing: bool,
    /// The statement typed so far, until its `;`.
    buffer: String,
    /// Whether any statement or command failed.
    failed: bool,
}

impl Shell {
    /// Take one input line: a shell command, or part of a statement.
    fn feed(&mut self, line: &str) -> Step {
        let trimmed = line.trim();
        // As in psql, a command line works mid-statement too (`\q` quits).
        if trimmed.starts_with('\\') {
            return self.command(trimmed);
        }
        if trimmed.is_empty() && self.buffer.is_empty() {
            return Step::Continue;
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        // Statements end with `;` at the end of a line (a `;` inside a string
        // literal mid-line does not end one).
        if trimmed.ends_with(';') {
            let sql = std::mem::take(&mut self.buffer);
            self.statement(sql.trim().trim_end_matches(';'));
        }
        Step::Continue
    }

    /// At the end of input: a last statement without its `;` still runs.
    fn finish(&mut self) {
        let sql = std::mem::take(&mut self.buffer);
        if !sql.trim().is_empty() {
            self.statement(sql.trim());
        }
    }

    fn statement(&mut self, sql: &str) {
        let started = Instant::now();
        match self.query(sql) {
            Ok(batches) => {
                let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                if let Err(e) = print_batches(&batches, self.format) {
                    self.error(&e);
                }
                if self.timing {
                    eprintln!(
                        "({rows} row{}, {:.3} s)",
                        if rows == 1 { "" } else { "s" },
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            Err(e) => self.error(&e),
        }
    }

    fn query(&self, sql: &str) -> Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
        Ok(self.runtime.block_on(crate::engine::query(&self.ctx, sql))?)
    }

    fn error(&mut self, e: &anyhow::Error) {
        self.failed = true;
        eprintln!("error: {}", super::error_text(e));
    }

    fn command(&mut self, line: &str) -> Step {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or_default();
        let arg = words.next();
        let result = match (name, arg) {
            ("\\q" | "\\quit", _) => return Step::Quit,
            ("\\?" | "\\h" | "\\help", _) => {
                println!("{HELP}");
                Ok(())
            }
            ("\\d", None) => self.show(
                "SELECT table_name AS table FROM information_schema.tables \
                 WHERE table_schema = 'public' ORDER BY table_name",
            ),
            ("\\d", Some(table)) => self.describe(table),
            ("\\metrics", _) => self.show(&format!(
                "SELECT id, key, zh, unit, grains, standard FROM {}",
                crate::engine::audience::METRIC_CATALOG_TABLE
            )),
            ("\\timing", a) => {
                self.timing = match a {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.timing,
                };
                println!("timing {}", if self.timing { "on" } else { "off" });
                Ok(())
            }
            ("\\format", Some(f)) => match <OutputFormat as clap::ValueEnum>::from_str(f, true) {
                Ok(f) => {
                    self.format = f;
                    Ok(())
                }
                Err(_) => Err(anyhow::anyhow!("no format `{f}`: table, csv or json")),
            },
            _ => Err(anyhow::anyhow!("no command `{line}`; \\? lists them")),
        };
        if let Err(e) = result {
            self.error(&e);
        }
        Step::Continue
    }

    /// `\d TABLE`: its columns, or an error naming the table.
    fn describe(&mut self, table: &str) -> Result<()> {
        let name = table.trim_end_matches(';');
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            anyhow::bail!("`{name}` is not a table name");
        }
        let sql = format!(
            "SELECT column_name AS column, data_type AS type, is_nullable AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{name}' \
             ORDER BY ordinal_position"
        );
        let batches = self.query(&sql)?;
        if batches.iter().all(|b| b.num_rows() == 0) {
            anyhow::bail!("no table `{name}`; \\d lists them");
        }
        print_batches(&batches, self.format)
    }

    fn show(&mut self, sql: &str) -> Result<()> {
        let batches = self.query(sql)?;
        print_batches(&batches, self.format)
    }
}

/// Completes the word before the cursor from table and column names, SQL
/// keywords and shell commands.
#[derive(Helper, Hinter, Highlighter, Validator)]
struct Completion {
    words: Vec<String>,
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, candidates) = complete_word(&self.words, line, pos);
        let pairs = candidates
            .into_iter()
            .map(|w| Pair {
                display: w.to_string(),
                replacement: w.to_string(),
            })
            .collect();
        Ok((start, pairs))
    }
}

/// Where the word ending at `pos` starts, and the words it is a prefix of
/// (keywords match in either case).
fn complete_word<'a>(words: &'a [String], line: &str, pos: usize) -> (usize, Vec<Cow<'a, str>>) {
    let before = &line[..pos];
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\\'))
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let prefix = &before[start..];
    if prefix.is_empty() {
        return (start, Vec::new());
    }
    let lower = prefix.to_lowercase();
    let found = words
        .iter()
        .filter(|w| w.starts_with(&lower) || w.starts_with(prefix))
        .map(|w| {
            // Keep the case the user types keywords in.
            if prefix.chars().next().is_some_and(char::is_uppercase) && SQL_WORDS.contains(&w.as_str()) {
                Cow::Owned(w.to_uppercase())
            } else {
                Cow::Borrowed(w.as_str())
            }
        })
        .collect();
    (start, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_tables_columns_keywords_and_commands() {
        let words: Vec<String> = [
            "marts_metrics_day",
            "marts_metrics_month",
            "metric_id",
            "select",
            "\\metrics",
        ]
        .map(String::from)
        .to_vec();
        let (start, found) = complete_word(&words, "select * from marts_metrics_", 28);
        assert_eq!(start, 14);
        assert_eq!(found, vec!["marts_metrics_day", "marts_metrics_month"]);
        let (start, found) = complete_word(&words, "SEL", 3);
        assert_eq!((start, found), (0, vec![Cow::<str>::Owned("SELECT".into())]));
        let (_, found) = complete_word(&words, "\\me", 3);
        assert_eq!(found, vec!["\\metrics"]);
        let (_, found) = complete_word(&words, "select ", 7);
        assert!(found.is_empty());
    }
}
