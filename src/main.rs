use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = callcube::cli::Cli::parse();
    match callcube::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", callcube::cli::error_text(&err));
            ExitCode::from(callcube::ops::exit_code(&err))
        }
    }
}
