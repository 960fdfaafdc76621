//! Inline SVG charts for the HTML report: no scripts, no fonts or files to fetch.

use std::fmt::Write;

use super::html::escape;

/// Colours of the series, in order (colour-blind-safe Okabe–Ito).
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// One line of a line chart: a name and `(x, y)` points (x in `0..x_max`).
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A line chart of percentages over the hours of a day (x 0–23, y 0–100 %).
pub fn hourly_percent_lines(title: &str, series: &[Series]) -> String {
    let x_of = |h: f64| LEFT + h / 23.0 * (W - LEFT - RIGHT);
    let y_of = |p: f64| TOP + (1.0 - p.clamp(0.0, 1.0)) * (H - TOP - BOTTOM);
    let mut s = open(title);
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = y_of(pct);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{:.0}%</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            pct * 100.0
        );
    }
    for h in (0..24).step_by(3) {
        let x = x_of(h as f64);
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11">{h:02}:00</text>"##,
            H - BOTTOM + 16.0
        );
    }
    for (i, line) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let points: Vec<String> = line
            .points
            .iter()
            .map(|(h, p)| format!("{:.1},{:.1}", x_of(*h), y_of(*p)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"><title>{}</title></polyline>"#,
            points.join(" "),
            escape(&line.name)
        );
        let lx = LEFT + 8.0 + 110.0 * i as f64;
        let _ = write!(
            s,
            r#"<rect x="{lx:.1}" y="{:.1}" width="12" height="4" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            H - 12.0,
            lx + 16.0,
            H - 7.0,
            escape(&line.name)
        );
    }
    s.push_str("</svg>");
    s
}

/// A bar chart per labelled slot of a surplus (above the axis, green) and a
/// shortage (≤ 0, below it, red).
pub fn surplus_shortage_bars(title: &str, slots: &[(String, f64, f64)], unit: &str) -> String {
    let max = slots
        .iter()
        .map(|(_, o, u)| o.abs().max(u.abs()))
        .fold(1.0_f64, f64::max);
    let zero = TOP + (H - TOP - BOTTOM) / 2.0;
    let half = (H - TOP - BOTTOM) / 2.0;
    let step = (W - LEFT - RIGHT) / slots.len().max(1) as f64;
    let mut s = open(title);
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{zero:.1}" x2="{:.1}" y2="{zero:.1}" stroke="#888"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">+{max:.1}</text><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">−{max:.1}</text>"##,
        W - RIGHT,
        LEFT - 6.0,
        TOP + 10.0,
        LEFT - 6.0,
        H - BOTTOM
    );
    let label_every = (slots.len() / 12).max(1);
    for (i, (label, over, under)) in slots.iter().enumerate() {
        let x = LEFT + step * i as f64;
        for (v, colour) in [(over.max(0.0), "#009E73"), (under.min(0.0), "#D55E00")] {
            let h = v.abs() / max * half;
            let y = if v >= 0.0 { zero - h } else { zero };
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{colour}"><title>{} {v:+.2} {}</title></rect>"#,
                x + 1.0,
                (step - 2.0).max(1.0),
                escape(label),
                escape(unit)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
                x + step / 2.0,
                H - BOTTOM + 16.0,
                escape(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn open(title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_names_and_place_points_in_the_frame() {
        let svg = hourly_percent_lines(
            "SL",
            &[Series {
                name: "C<1>".into(),
                points: vec![(0.0, 1.0), (23.0, 0.0)],
            }],
        );
        assert!(svg.contains("C&lt;1&gt;") && !svg.contains("C<1>"));
        // Hour 0 at 100 % is the top left of the plot, hour 23 at 0 % its bottom right.
        assert!(svg.contains(r#"points="48.0,16.0 704.0,220.0""#), "{svg}");
        let bars = surplus_shortage_bars("over/under", &[("09:00".into(), 2.0, -1.0)], "agents");
        assert!(bars.contains("#009E73") && bars.contains("#D55E00"));
    }
}
