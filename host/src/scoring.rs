//! Scores: each check gives 0-100; a category's score is the weighted mean
//! of its checks; the overall score is the weighted mean of the categories.
//! Skipped checks do not count; checks in error count as 0, so a broken
//! plugin can never raise a score.
//!
//! Pure functions, no I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Status;
pub use crate::model::report::CategoryScore;

/// The usual reading order of categories; any other category follows,
/// alphabetically. (Their weights come from the policy.)
const CATEGORY_ORDER: &[&str] = &["documentation", "governance", "license", "security", "community", "quality"];

/// One check's contribution.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredCheck<'a> {
    pub category: &'a str,
    pub weight: f64,
    pub status: Status,
    pub score: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// 0-100, one decimal.
    pub overall: f64,
    pub categories: Vec<CategoryScore>,
}

/// The score a check contributes: its own, 100 when exempted, 0 in error.
pub fn effective_score(status: Status, score: u8) -> Option<f64> {
    match status {
        Status::Skip => None,
        Status::Exempt => Some(100.0),
        Status::Error => Some(0.0),
        _ => Some(f64::from(score.min(100))),
    }
}

/// Scores `checks`, with the policy's `category_weights`.
pub fn score(checks: &[ScoredCheck<'_>], category_weights: &BTreeMap<String, f64>) -> Scores {
    let mut by_category: BTreeMap<&str, (f64, f64, usize, usize)> = BTreeMap::new();
    for check in checks {
        let entry = by_category.entry(check.category).or_default();
        entry.2 += 1;
        if check.status.is_passing() {
            entry.3 += 1;
        }
        if let Some(score) = effective_score(check.status, check.score)
            && check.weight > 0.0
        {
            entry.0 += check.weight * score;
            entry.1 += check.weight;
        }
    }
    let categories: Vec<CategoryScore> = by_category
        .into_iter()
        .map(|(name, (weighted, total, checks, passed))| CategoryScore {
            name: name.to_owned(),
            score: (total > 0.0).then(|| round1(weighted / total)),
            weight: category_weight(name, category_weights),
            checks,
            passed,
        })
        .collect();
    // The usual reading order: documentation, governance, license, security,
    // community, quality, then any other category alphabetically.
    let mut categories = categories;
    categories.sort_by_key(|c| {
        (CATEGORY_ORDER.iter().position(|name| *name == c.name).unwrap_or(usize::MAX), c.name.clone())
    });
    let (weighted, total) = categories
        .iter()
        .filter_map(|c| c.score.map(|s| (s * c.weight, c.weight)))
        .fold((0.0, 0.0), |(a, b), (s, w)| (a + s, b + w));
    Scores { overall: if total > 0.0 { round1(weighted / total) } else { 0.0 }, categories }
}

/// The weight of `category` in the policy (which holds the default
/// policy's weights under its own), else 1.
pub fn category_weight(category: &str, configured: &BTreeMap<String, f64>) -> f64 {
    configured.get(category).copied().unwrap_or(1.0)
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(category: &str, weight: f64, status: Status, score: u8) -> ScoredCheck<'_> {
        ScoredCheck { category, weight, status, score }
    }

    #[test]
    fn weighted_means_per_category_and_overall() {
        let checks = [
            check("documentation", 3.0, Status::Pass, 100),
            check("documentation", 1.0, Status::Fail, 0),
            check("license", 1.0, Status::Warn, 50),
            check("license", 5.0, Status::Skip, 0),
            check("governance", 1.0, Status::Error, 90),
        ];
        let scores = score(&checks, &BTreeMap::from([("license".to_owned(), 1.5)]));
        let by_name: Vec<_> = scores.categories.iter().map(|c| (c.name.as_str(), c.score, c.passed)).collect();
        assert_eq!(
            by_name,
            [("documentation", Some(75.0), 1), ("governance", Some(0.0), 0), ("license", Some(50.0), 0)]
        );
        // (75 * 1 + 0 * 1 + 50 * 1.5) / 3.5
        assert_eq!(scores.overall, 42.9);
    }

    #[test]
    fn skipped_categories_do_not_count_and_weights_override() {
        let checks = [check("license", 1.0, Status::Skip, 0), check("quality", 1.0, Status::Exempt, 0)];
        let scores = score(&checks, &BTreeMap::from([("quality".to_owned(), 2.0)]));
        assert_eq!(scores.categories[0].score, None);
        assert_eq!(scores.categories[1].weight, 2.0);
        assert_eq!(scores.overall, 100.0);
        assert_eq!(score(&[], &BTreeMap::new()).overall, 0.0);
    }
}
