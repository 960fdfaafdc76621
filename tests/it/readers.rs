//! The ways analysts read the warehouse: the shell (and, as they come, the
//! Flight SQL server and the HTML report), over the models' built warehouse.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::models::built;

/// Run `callcube shell ARGS` with `script` on stdin; (exit success, stdout, stderr).
fn shell(args: &[&str], script: &str) -> (bool, String, String) {
    let root = built().warehouse_root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .arg("shell")
        .arg("--warehouse")
        .arg(&root)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("callcube runs");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_shell_lists_describes_and_queries_from_stdin() {
    let count = crate::models::built().count("select count(*) from marts_metrics_day where metric_id = 'A1'");
    let script = "\\d\n\\d marts_metrics_day\n\\format csv\nselect count(*) as n\n  from marts_metrics_day\n where metric_id = 'A1';\n";
    let (ok, out, err) = shell(&[], script);
    assert!(ok, "{err}\n{out}");
    // `\d` lists every table, raw included for the engineers' shell.
    assert!(
        out.contains("| raw_hotline_agent_legs ") && out.contains("| marts_metrics_day "),
        "{out}"
    );
    assert!(out.contains("| metric_catalog "), "{out}");
    // `\d TABLE` gives its columns and types.
    assert!(out.contains("| metric_id ") && out.contains("| Date32 "), "{out}");
    // A statement spanning lines runs at its `;`, in the chosen format, timed on stderr.
    assert!(out.ends_with(&format!("n\n{count}\n")), "{out}");
    assert!(count > 0);
    assert!(err.contains("(1 row, "), "{err}");
}

#[test]
fn the_analyst_shell_hides_raw_and_reports_errors_without_stopping() {
    let script = "\\d\nselect count(*) from raw_hotline_agent_legs;\n\\d rejects\n\\timing off\nselect count(*) as n from metric_catalog where id = 'A1';\n";
    let (ok, out, err) = shell(&["--analyst", "--format", "csv"], script);
    // A failed statement makes a script exit 1, after the rest has run.
    assert!(!ok, "{out}");
    assert!(
        out.contains("marts_metrics_day") && !out.contains("raw_") && !out.contains("rejects\n"),
        "{out}"
    );
    assert!(err.contains("raw_hotline_agent_legs' not found"), "{err}");
    assert!(err.contains("no table `rejects`"), "{err}");
    assert!(out.ends_with("timing off\nn\n1\n"), "{out}");
    assert!(!err.contains("row"), "timing is off: {err}");
}
