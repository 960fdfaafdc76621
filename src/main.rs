use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    bound_malloc_arenas();
    let cli = callcube::cli::Cli::parse();
    match callcube::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", callcube::cli::error_text(&err));
            ExitCode::from(callcube::ops::exit_code(&err))
        }
    }
}

/// Cap glibc's malloc arenas at the number of cores (its default is eight per
/// core), unless `MALLOC_ARENA_MAX` says otherwise. Arrow buffers freed by one
/// thread stay in the arena that allocated them: a night rebuilding a month
/// of dates at scale 0.1 peaked at 3.0 GB of RSS in a 1 GiB memory pool with
/// the default, 2.1 GB with two arenas and 1.6 GB with one (README,
/// Benchmark). Other platforms' allocators are left as they are.
fn bound_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        let cores = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a tunable of the allocator; it runs before any thread starts.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores);
        }
    }
}
