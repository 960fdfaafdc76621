//! Erlang C queueing math for staffing (metrics.md E3).
//!
//! With `a` Erlangs of offered traffic and `n` agents, the probability that a
//! call waits is P = b / (Σ_{k<n} a^k/k! + b), b = a^n/n! × n/(n − a).
//! Written as is, a^n/n! overflows an f64 past n ≈ 170, i.e. far below the
//! 500 Erlangs of a large hotline interval. Every term is kept as its
//! logarithm instead (ln(a^k/k!) = k·ln a − ln k!) and the sum is taken with
//! the log-sum-exp shift, so nothing overflows and no precision is lost to
//! cancellation. The tests check it against the Erlang B recursion, a
//! different formulation.

/// Probability that a call waits (Erlang C), for `n` agents and `a` Erlangs.
/// 1 when the queue is unstable (n ≤ a, a > 0); 0 when there is no traffic.
pub fn wait_probability(n: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let nf = f64::from(n);
    if nf <= a {
        return 1.0;
    }
    let ln_a = a.ln();
    // ln of a^k/k! for k = 0..n, accumulated (ln k! = Σ ln i).
    let mut ln_terms = Vec::with_capacity(n as usize);
    let mut ln_fact = 0.0;
    for k in 0..n {
        if k > 0 {
            ln_fact += f64::from(k).ln();
        }
        ln_terms.push(f64::from(k) * ln_a - ln_fact);
    }
    let ln_fact_n = ln_fact + nf.ln();
    let ln_b = nf * ln_a - ln_fact_n + (nf / (nf - a)).ln();
    let ln_sum = log_sum_exp(&ln_terms);
    // P = b / (S + b) = 1 / (1 + S/b).
    1.0 / (1.0 + (ln_sum - ln_b).exp())
}

/// P(wait) as the staffing mart reports it: [`wait_probability`], but `None`
/// when no traffic is offered (no call, so no share of calls that wait: a
/// division by zero, NULL like the service level and ASA) or `a` is not finite.
pub fn offered_wait_probability(n: u32, a: f64) -> Option<f64> {
    (a > 0.0 && a.is_finite()).then(|| wait_probability(n, a))
}

fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// Share of calls answered within `threshold_s`: 1 − P·e^(−(n − a)·t/AHT).
/// 0 when the queue is unstable (n ≤ a); `None` without traffic or AHT.
pub fn service_level(n: u32, a: f64, aht_s: f64, threshold_s: f64) -> Option<f64> {
    if a <= 0.0 || aht_s <= 0.0 || !a.is_finite() || !aht_s.is_finite() {
        return None;
    }
    let nf = f64::from(n);
    if nf <= a {
        return Some(0.0);
    }
    let p = wait_probability(n, a);
    Some(1.0 - p * (-(nf - a) * threshold_s / aht_s).exp())
}

/// Average speed of answer in seconds: P·AHT/(n − a). `None` when it is
/// unbounded (n ≤ a) or there is no traffic.
pub fn average_speed_of_answer(n: u32, a: f64, aht_s: f64) -> Option<f64> {
    if a <= 0.0 || aht_s <= 0.0 || !a.is_finite() || !aht_s.is_finite() {
        return None;
    }
    let nf = f64::from(n);
    if nf <= a {
        return None;
    }
    Some(wait_probability(n, a) * aht_s / (nf - a))
}

/// Agents required: the smallest integer n > a whose service level reaches
/// `target` (a fraction); 0 without traffic. `None` when the inputs cannot
/// give an answer (AHT ≤ 0, target outside (0, 1), non-finite traffic).
pub fn required_agents(a: f64, aht_s: f64, threshold_s: f64, target: f64) -> Option<u32> {
    if a == 0.0 {
        return Some(0);
    }
    if !(a > 0.0 && a.is_finite() && aht_s > 0.0 && target > 0.0 && target < 1.0 && threshold_s >= 0.0) {
        return None;
    }
    // The service level rises with n and reaches 1; the loop ends well
    // before the cap for any traffic a call center sees.
    let first = a.floor() as u32 + 1;
    let cap = first.saturating_add(10_000);
    (first..cap).find(|&n| service_level(n, a, aht_s, threshold_s).is_some_and(|sl| sl >= target))
}

/// Offered traffic in Erlangs: calls × AHT / interval length.
pub fn traffic(calls: f64, aht_s: f64, interval_s: f64) -> f64 {
    calls * aht_s / interval_s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The second formulation: Erlang B by its recursion B(k) = a·B(k−1) / (k + a·B(k−1)),
    /// then C = n·B / (n − a·(1 − B)).
    fn erlang_c_via_b(n: u32, a: f64) -> f64 {
        let mut b = 1.0;
        for k in 1..=n {
            b = a * b / (f64::from(k) + a * b);
        }
        let nf = f64::from(n);
        nf * b / (nf - a * (1.0 - b))
    }

    #[test]
    fn textbook_mm2_closed_form() {
        // M/M/2 with ρ = a/2: C = 2ρ²/(1 + ρ). a = 1 → ρ = ½ → 2·¼/1.5 = 1/3.
        assert!((wait_probability(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // a = 2, n = 3: Σ = 1 + 2 + 2 = 5, b = 8/6 × 3/1 = 4 → P = 4/9.
        assert!((wait_probability(3, 2.0) - 4.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn published_call_center_example() {
        // The classic worked example: 100 calls in 30 min, AHT 180 s → a = 10 Erlangs,
        // target 80 % in 20 s. Published: 11 agents P = 0.6821, SL 38.96 %, ASA 122.8 s;
        // 13 agents SL 79.56 %; 14 agents P = 0.1741, SL 88.84 %, ASA 7.8 s → 14 required.
        let a = traffic(100.0, 180.0, 1800.0);
        assert!((a - 10.0).abs() < 1e-12);
        assert!((wait_probability(11, a) - 0.6821).abs() < 5e-5);
        assert!((service_level(11, a, 180.0, 20.0).unwrap() - 0.3896).abs() < 5e-5);
        assert!((average_speed_of_answer(11, a, 180.0).unwrap() - 122.8).abs() < 0.05);
        assert!((service_level(13, a, 180.0, 20.0).unwrap() - 0.7956).abs() < 5e-5);
        assert!((wait_probability(14, a) - 0.1741).abs() < 5e-5);
        assert!((service_level(14, a, 180.0, 20.0).unwrap() - 0.8884).abs() < 5e-5);
        assert!((average_speed_of_answer(14, a, 180.0).unwrap() - 7.8).abs() < 0.05);
        assert_eq!(required_agents(a, 180.0, 20.0, 0.8), Some(14));
    }

    #[test]
    fn offered_wait_probability_of_the_published_example() {
        // a = 10 Erlangs (100 calls × 180 s / 1800 s). Published P(wait): 11 agents 0.6821,
        // 14 agents 0.1741. a = 1, n = 3: Σ_{k<3} = 1 + 1 + ½ = 2.5, b = 1/6 × 3/2 = ¼ →
        // P = ¼ / 2.75 = 1/11.
        assert!((offered_wait_probability(11, 10.0).unwrap() - 0.6821).abs() < 5e-5);
        assert!((offered_wait_probability(14, 10.0).unwrap() - 0.1741).abs() < 5e-5);
        assert!((offered_wait_probability(3, 1.0).unwrap() - 1.0 / 11.0).abs() < 1e-12);
        // Unstable (n ≤ a): every call waits. No traffic: nothing to report.
        assert_eq!(offered_wait_probability(10, 10.0), Some(1.0));
        assert_eq!(offered_wait_probability(0, 10.0), Some(1.0));
        assert_eq!(offered_wait_probability(3, 0.0), None);
        assert_eq!(offered_wait_probability(3, f64::NAN), None);
    }

    #[test]
    fn agrees_with_erlang_b_recursion_up_to_large_traffic() {
        for a in [0.3f64, 1.0, 2.5, 10.0, 47.3, 150.0, 199.9, 500.0, 1000.0, 2000.0] {
            let first = a.floor() as u32 + 1;
            for n in first..first + 60 {
                let ours = wait_probability(n, a);
                let other = erlang_c_via_b(n, a);
                assert!(ours.is_finite() && (0.0..=1.0).contains(&ours), "a={a} n={n}: {ours}");
                assert!(
                    (ours - other).abs() < 1e-9 * other.max(1e-3),
                    "a={a} n={n}: log-space {ours} vs Erlang B {other}"
                );
            }
        }
    }

    #[test]
    fn naive_factorial_would_overflow_here() {
        // 500^500 / 500! is far beyond f64; the log form still answers.
        assert!(500f64.powi(500).is_infinite());
        let n = required_agents(500.0, 240.0, 20.0, 0.8).unwrap();
        assert!(n > 500 && n < 560, "{n}");
        // n is the smallest that reaches the target.
        assert!(service_level(n, 500.0, 240.0, 20.0).unwrap() >= 0.8);
        assert!(service_level(n - 1, 500.0, 240.0, 20.0).unwrap() < 0.8);
    }

    #[test]
    fn edges() {
        assert_eq!(required_agents(0.0, 240.0, 20.0, 0.8), Some(0));
        assert_eq!(wait_probability(5, 5.0), 1.0);
        assert_eq!(service_level(5, 5.0, 240.0, 20.0), Some(0.0));
        assert_eq!(average_speed_of_answer(5, 5.0, 240.0), None);
        assert_eq!(service_level(5, 0.0, 240.0, 20.0), None);
        assert_eq!(required_agents(3.0, 0.0, 20.0, 0.8), None);
        assert_eq!(required_agents(3.0, 240.0, 20.0, 1.0), None);
        // Required agents never decrease as traffic grows.
        let mut last = 0;
        for i in 1..400 {
            let n = required_agents(f64::from(i) * 0.5, 240.0, 20.0, 0.86).unwrap();
            assert!(n >= last);
            last = n;
        }
    }
}
