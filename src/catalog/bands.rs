//! Score bands and flag tests: `"5: x > 95"`, `"x <= 80"`.
//!
//! A band is compared on the exact value (metrics.md: bands compare the
//! unrounded exact value): `x > t` is evaluated as `n × scale × k > t × d`
//! on decimals, never on a rounded quotient, so 95/100 is exactly 95 %.

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
        }
    }
}

/// `x <cmp> threshold`, giving `points` when it is a score band.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub points: Option<i64>,
    pub cmp: Cmp,
    /// A decimal literal, kept as text so it reaches SQL exactly.
    pub threshold: String,
}

impl Band {
    /// `"5: x > 95"`.
    pub fn parse_scored(s: &str) -> Result<Band, String> {
        let (points, test) = s.split_once(':').ok_or("expected `points: x <op> value`")?;
        let points: i64 = points.trim().parse().map_err(|_| "points must be an integer")?;
        Ok(Band {
            points: Some(points),
            ..Band::parse_test(test)?
        })
    }

    /// `"x >= 70"`.
    pub fn parse_test(s: &str) -> Result<Band, String> {
        let parts: Vec<&str> = s.split_whitespace().collect();
        let [x, op, t] = parts.as_slice() else {
            return Err("expected `x <op> value`".into());
        };
        if *x != "x" {
            return Err("the test must be on x".into());
        }
        let cmp = match *op {
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            _ => return Err(format!("unknown comparison `{op}`")),
        };
        t.parse::<f64>().map_err(|_| format!("`{t}` is not a number"))?;
        Ok(Band {
            points: None,
            cmp,
            threshold: (*t).to_string(),
        })
    }

    /// Whether `x` passes, in floating point: for printing what a parameter
    /// corresponds to, never for scoring data (that is [`Band::sql`], exact).
    pub fn holds(&self, x: f64) -> bool {
        let t: f64 = self.threshold.parse().expect("checked at parse");
        match self.cmp {
            Cmp::Gt => x > t,
            Cmp::Ge => x >= t,
            Cmp::Lt => x < t,
            Cmp::Le => x <= t,
        }
    }

    /// SQL that is true when `x = numerator × scale × x_scale / denominator`
    /// passes the test; `numerator` and `denominator` are decimal expressions
    /// and the denominator is known to be positive.
    pub fn sql(&self, numerator: &str, denominator: &str, scale: &str, x_scale: i64) -> String {
        format!(
            "({numerator} * ({scale}) * {x_scale} {} CAST({} AS DECIMAL(38, 10)) * {denominator})",
            self.cmp.sql(),
            self.threshold
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_parse_and_reject_nonsense() {
        let b = Band::parse_scored("4: x <= 0.4").unwrap();
        assert_eq!((b.points, b.cmp, b.threshold.as_str()), (Some(4), Cmp::Le, "0.4"));
        assert!(Band::parse_scored("x > 3").is_err());
        assert!(Band::parse_test("y > 3").is_err());
        assert!(Band::parse_test("x => 3").is_err());
        assert!(Band::parse_test("x > ninety").is_err());
    }
}
