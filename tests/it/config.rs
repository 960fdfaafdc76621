//! Pipeline config: bad files are refused before any work, naming file, key and expectation.

use std::path::Path;

use callcube::config::{Overrides, Pipeline};
use callcube::warehouse::WarehouseUrl;

fn parse(text: &str) -> Result<Pipeline, String> {
    Pipeline::parse(text, Path::new("pipelines/test.toml"), &Overrides::default()).map_err(|e| e.to_string())
}

const OK: &str = "warehouse = \"../wh\"\ninbox = \"../inbox\"\n";

#[test]
fn the_shipped_pipeline_is_valid() {
    let p = Pipeline::load(Path::new("pipelines/nightly.toml"), &Overrides::default()).unwrap();
    assert_eq!(p.name, "nightly");
    assert_eq!(p.tables.len(), callcube::schema::TABLES.len());
    let agents = p.tables.iter().find(|t| t.def.name == "agents").unwrap();
    assert_eq!(agents.encoding, callcube::ingest::Encoding::Gbk);
}

#[test]
fn relative_paths_are_relative_to_the_pipeline_file_and_overrides_win() {
    let p = parse(OK).unwrap();
    assert_eq!(p.warehouse, WarehouseUrl::Local("wh".into()));
    assert_eq!(p.inbox, Path::new("inbox"));
    let o = Overrides {
        inbox: Some("/data/in".into()),
        warehouse: Some("s3://bucket/wh".into()),
    };
    let p = Pipeline::parse(OK, Path::new("pipelines/test.toml"), &o).unwrap();
    assert_eq!(
        p.warehouse,
        WarehouseUrl::S3 {
            bucket: "bucket".into(),
            prefix: "wh".into()
        }
    );
    assert_eq!(p.inbox, Path::new("/data/in"));
    for url in ["file:///srv/wh", "memory://", "s3://b/p"] {
        assert!(
            parse(&format!("warehouse = \"{url}\"\ninbox = \"i\"\n")).is_ok(),
            "{url}"
        );
    }
}

#[test]
fn bad_config_is_refused_with_file_key_and_expectation() {
    let cases: &[(&str, &[&str])] = &[
        ("warehouse = \"w\"\n", &["inbox"]),
        (&format!("{OK}colour = 1\n"), &["colour", "unknown field"]),
        (
            &format!("{OK}[schedule]\ncron = \"61 * * * *\"\n"),
            &["schedule.cron", "61 * * * *"],
        ),
        (
            &format!("{OK}[schedule]\ncron = \"0 2 * * *\"\ntimezone = \"Mars/Base\"\n"),
            &["schedule.timezone", "IANA"],
        ),
        (
            &format!("{OK}[sources.billing]\n"),
            &["sources.billing", "hotline, crm, boss, hr"],
        ),
        (
            &format!("{OK}[sources.hotline.tables.calls]\n"),
            &["sources.hotline.tables.calls", "ivr_calls"],
        ),
        (
            &format!("{OK}[sources.hr.tables.agents]\nencoding = \"latin1\"\n"),
            &["encoding", "latin1"],
        ),
        (
            &format!("{OK}[sources.hotline.tables.ivr_calls.columns]\nCALLER_NO = \"calling_number\"\n"),
            &[
                "sources.hotline.tables.ivr_calls.columns.CALLER_NO",
                "calling_number",
                "caller",
            ],
        ),
        (
            &format!("{OK}[params]\nshort_abandon_s = -1\n"),
            &["params.short_abandon_s", "≥ 0"],
        ),
        (
            &format!("{OK}[params]\nerlang_target_sl = 1.5\n"),
            &["params.erlang_target_sl", "(0, 1)"],
        ),
        // 1.0 needs infinitely many agents: refused, not a silent NULL required_agents.
        (
            &format!("{OK}[params]\nerlang_target_sl = 1.0\n"),
            &["params.erlang_target_sl", "(0, 1)", "infinitely many agents"],
        ),
        (
            &format!("{OK}[params]\nd_extremes_n = 0\n"),
            &["params.d_extremes_n", "≥ 1"],
        ),
        // The key must live where the warehouse's readers cannot read it.
        (
            &format!("{OK}[privacy]\nkey_file = \"../wh/_secrets/my.key\"\n"),
            &["privacy.key_file", "inside the warehouse"],
        ),
        (
            &format!("{OK}[params]\ntalk_rate_base = \"hours\"\n"),
            &["talk_rate_base", "logged_in"],
        ),
        (
            &format!("{OK}[params]\nservice_level = 20\n"),
            &["service_level", "unknown field"],
        ),
        (
            "warehouse = \"ftp://x/y\"\ninbox = \"i\"\n",
            &["warehouse", "unsupported scheme"],
        ),
    ];
    for (text, needles) in cases {
        let err = parse(text).expect_err(text);
        assert!(err.starts_with("pipelines/test.toml"), "names the file: {err}");
        for n in *needles {
            assert!(err.contains(n), "`{n}` missing from: {err}\n--- for:\n{text}");
        }
    }
}
