//! The report's HTML: one file, styles inline, charts as inline SVG, no scripts.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::svg::{Series, hourly_percent_lines, surplus_shortage_bars};
use super::{AGENTS_LISTED, AgentRow, Report, SCORECARD_METRICS, ScoreRow};
use crate::catalog;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
.note{color:#555;font-size:13px} .provisional{background:#fff4d6;border:1px solid #e0b000;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;font-size:12px} th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f3f3f3} td.name,th.name{text-align:left} .pts{display:inline-block;min-width:14px;margin-left:4px;padding:0 3px;border-radius:3px;color:#fff;font-weight:600}
.p5{background:#1a7f37}.p4{background:#4c9a2a}.p3{background:#b08800}.p2,.p1,.p0{background:#c0392b}
.ok{color:#1a7f37} .bad{color:#c0392b} .nf{color:#b08800;font-weight:600}
.grid{display:flex;flex-wrap:wrap;gap:24px}
";

/// The whole page.
pub fn render(r: &Report) -> String {
    let mut p = String::new();
    let _ = write!(
        p,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>callcube report {0}</title><style>{STYLE}</style></head><body>\
         <h1>Call center report · {0}</h1><p class=\"note\">From the warehouse marts (marts_scorecard_monthly, marts_metrics_month, \
         marts_metrics_hour, marts_agent_performance_monthly, marts_staffing_interval). Made by callcube {1}.</p>",
        escape(&r.month),
        env!("CARGO_PKG_VERSION")
    );
    if r.provisional() {
        p.push_str(
            "<p class=\"provisional\" id=\"provisional\"><b>Provisional.</b> Figures marked <span class=\"nf\">*</span> \
             are not final: late or corrected deliveries can still change them.</p>",
        );
    }
    scorecard(&mut p, r);
    intraday(&mut p, r);
    agents(&mut p, &r.agents);
    staffing(&mut p, r);
    bands(&mut p);
    p.push_str("</body></html>\n");
    p
}

fn scorecard(p: &mut String, r: &Report) {
    p.push_str("<h2>Scorecard 月度考核 — values, points and bands</h2>");
    for (dimension, title) in [("center", "Center 中心"), ("skill_group", "Skill group 技能组")] {
        let rows: Vec<&ScoreRow> = r.scorecard.iter().filter(|s| s.dimension == dimension).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            p,
            "<table id=\"scorecard-{dimension}\"><tr><th class=\"name\">{title}</th>"
        );
        for id in SCORECARD_METRICS {
            let (zh, std) = catalog::find(id).map_or((String::new(), String::new()), |m| (m.zh.clone(), m.standard()));
            let _ = write!(p, "<th title=\"{}\">{id}<br>{}</th>", escape(&std), escape(&short(&zh)));
        }
        p.push_str("<th>Weighted total</th><th class=\"name\">KPIs missing</th></tr>");
        for row in rows {
            let mark = if row.is_final {
                ""
            } else {
                "<span class=\"nf\">*</span>"
            };
            let _ = write!(p, "<tr><td class=\"name\">{}{mark}</td>", escape(&row.member));
            for id in SCORECARD_METRICS {
                let value = r
                    .values
                    .get(&(row.dimension.clone(), row.member.clone(), id.to_string()));
                let shown = value.map_or("—".to_string(), |v| format_value(id, *v));
                let badge = match id {
                    "A4" => pass_badge(row.a4_pass, "pass", "fail"),
                    "A7" => pass_badge(row.a7_in_band, "in band", "out"),
                    _ => match row.points.get(id).copied().flatten() {
                        Some(pts) => format!("<span class=\"pts p{}\">{pts}</span>", pts.clamp(0, 5)),
                        None => String::new(),
                    },
                };
                let _ = write!(
                    p,
                    "<td data-member=\"{}\" data-metric=\"{id}\">{shown}{badge}</td>",
                    escape(&row.member)
                );
            }
            let total = row.weighted_total.map_or("—".to_string(), |t| format!("{t:.2}"));
            let _ = write!(
                p,
                "<td class=\"total\" data-member=\"{}\"><b>{total}</b></td><td class=\"name\">{}</td></tr>",
                escape(&row.member),
                escape(row.kpis_missing.as_deref().unwrap_or(""))
            );
        }
        p.push_str("</table><br>");
    }
}

fn pass_badge(v: Option<bool>, yes: &str, no: &str) -> String {
    match v {
        Some(true) => format!(" <span class=\"ok\">{yes}</span>"),
        Some(false) => format!(" <span class=\"bad\">{no}</span>"),
        None => String::new(),
    }
}

/// A metric's month value in its unit: ratios as percentages.
fn format_value(id: &str, v: f64) -> String {
    match catalog::find(id).map(|m| m.unit.as_str()) {
        Some("ratio") => format!("{:.1}%", v * 100.0),
        Some("per_100k") => format!("{v:.1}/10万"),
        _ => format!("{v:.1}"),
    }
}

/// A metric's Chinese name without its parenthesised gloss.
fn short(zh: &str) -> String {
    zh.split(" (").next().unwrap_or(zh).to_string()
}

fn intraday(p: &mut String, r: &Report) {
    p.push_str(
        "<h2>Intraday 日内曲线 — by hour of day, the month's hours pooled (Σ numerator / Σ denominator of marts_metrics_hour)</h2><div class=\"grid\">",
    );
    for (id, title) in [
        ("A2", "Service level 服务水平 (A2)"),
        ("C2", "Abandon rate 放弃率 (C2)"),
    ] {
        let mut by_center: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        for (m, center, hour, v) in &r.intraday {
            if m == id {
                by_center.entry(center.as_str()).or_default().push((*hour as f64, *v));
            }
        }
        let series: Vec<Series> = by_center
            .into_iter()
            .map(|(c, points)| Series {
                name: c.to_string(),
                points,
            })
            .collect();
        let _ = write!(
            p,
            "<figure id=\"intraday-{id}\">{}<figcaption>{title}</figcaption></figure>",
            hourly_percent_lines(title, &series)
        );
    }
    p.push_str("</div>");
}

fn agents(p: &mut String, agents: &[AgentRow]) {
    let _ = write!(
        p,
        "<h2>Relative performance 相对绩效 — top and bottom {AGENTS_LISTED} peers per center (marts_agent_performance_monthly)</h2><div class=\"grid\">"
    );
    let mut centers: BTreeMap<&str, Vec<&AgentRow>> = BTreeMap::new();
    for a in agents {
        centers.entry(a.center.as_str()).or_default().push(a);
    }
    if centers.is_empty() {
        p.push_str("<p class=\"note\">No peers ranked this month.</p>");
    }
    for (center, ranked) in centers {
        let top: Vec<&&AgentRow> = ranked.iter().take(AGENTS_LISTED).collect();
        let bottom: Vec<&&AgentRow> = ranked
            .iter()
            .rev()
            .take(AGENTS_LISTED.min(ranked.len().saturating_sub(top.len())))
            .collect();
        for (side, list) in [("top", top), ("bottom", bottom)] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(
                p,
                "<table id=\"agents-{}-{side}\"><tr><th class=\"name\" colspan=\"5\">{} · {side}</th></tr>\
                 <tr><th>Rank</th><th class=\"name\">Agent</th><th class=\"name\">Team</th><th>Composite</th><th>Answered</th></tr>",
                escape(center),
                escape(center)
            );
            for a in list {
                let mark = if a.is_final { "" } else { "<span class=\"nf\">*</span>" };
                let _ = write!(
                    p,
                    "<tr><td>{}</td><td class=\"name\">{}{mark}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td></tr>",
                    a.rank.map_or("—".into(), |r| r.to_string()),
                    escape(&a.agent_id),
                    escape(&a.team_id),
                    a.composite.map_or("—".into(), |c| format!("{c:.1}")),
                    a.answered_legs.map_or("—".into(), |n| n.to_string())
                );
            }
            p.push_str("</table>");
        }
    }
    p.push_str("</div>");
}

fn staffing(p: &mut String, r: &Report) {
    p.push_str(
        "<h2>Staffing 人力配置 — staffed minus required agents per interval of day (marts_staffing_interval): \
         surpluses and shortages of every center and skill group summed apart, mean over the month's days</h2>",
    );
    if r.staffing.is_empty() {
        p.push_str("<p class=\"note\">No staffing intervals this month.</p>");
        return;
    }
    let _ = write!(
        p,
        "<figure id=\"staffing\">{}<figcaption>Over (green) and under (red) staffing, agents</figcaption></figure>",
        surplus_shortage_bars("Staffing over/under per interval", &r.staffing, "agents")
    );
}

fn bands(p: &mut String) {
    p.push_str("<h2>Bands 评分标准</h2><table><tr><th class=\"name\">Metric</th><th class=\"name\">Name</th><th class=\"name\">Points by value</th></tr>");
    for id in SCORECARD_METRICS {
        if let Some(m) = catalog::find(id) {
            let _ = write!(
                p,
                "<tr><td class=\"name\">{id}</td><td class=\"name\">{} ({})</td><td class=\"name\">{}</td></tr>",
                escape(&m.zh),
                escape(&m.en),
                escape(&m.standard())
            );
        }
    }
    p.push_str("</table>");
}

/// Text safe inside HTML elements and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(rank: i64, is_final: bool) -> AgentRow {
        AgentRow {
            center: "C01".into(),
            agent_id: format!("A{rank:05}"),
            team_id: "T1".into(),
            composite: Some(100.0 - rank as f64),
            rank: Some(rank),
            answered_legs: Some(100),
            is_final,
        }
    }

    #[test]
    fn agents_list_the_top_five_and_the_rest_from_the_bottom_without_repeating_anyone() {
        // 7 ranked peers: top 1–5, bottom 7 and 6 (the two not already on top).
        let agents: Vec<AgentRow> = (1..=7).map(|r| agent(r, r != 3)).collect();
        let mut page = String::new();
        super::agents(&mut page, &agents);
        let top = page
            .split("id=\"agents-C01-top\"")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap();
        let bottom = page
            .split("id=\"agents-C01-bottom\"")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap();
        for r in 1..=5 {
            assert!(top.contains(&format!("A{r:05}")), "{top}");
        }
        assert!(!top.contains("A00006") && bottom.contains("A00007") && bottom.contains("A00006"));
        assert!(bottom.find("A00007") < bottom.find("A00006"), "worst first");
        assert!(!bottom.contains("A00005"));
        // The not-final agent carries the mark.
        assert!(top.contains("A00003<span class=\"nf\">*</span>"));
        assert!(!top.contains("A00002<span"));
    }

    #[test]
    fn values_show_in_their_unit_and_text_is_escaped() {
        assert_eq!(format_value("A1", 0.8523), "85.2%");
        assert_eq!(format_value("A9", 88.44), "88.4");
        assert_eq!(escape("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
    }
}
