//! Per community and month counts of a scan, and the span of its posts'
//! dates (`summary.json`'s `monthly`, `first_post` and `last_post`; the
//! report's charts).

use crate::model::datetime_string;
use crate::record::{MonthCounts, Summary};
use chrono::Datelike;
use std::collections::BTreeMap;

/// Months as `year * 12 + month - 1`, so they sort and count cheaply.
type MonthIndex = i32;

/// Counts by community and month, and the earliest and latest post time.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Calendar {
    months: BTreeMap<String, BTreeMap<MonthIndex, MonthCounts>>,
    first: Option<i64>,
    last: Option<i64>,
}

fn month_of(unix: i64) -> Option<MonthIndex> {
    let t = chrono::DateTime::from_timestamp(unix, 0)?;
    Some(t.year() * 12 + t.month0() as i32)
}

impl Calendar {
    fn counts(&mut self, community: &str, month: MonthIndex) -> &mut MonthCounts {
        if !self.months.contains_key(community) {
            self.months.insert(community.to_string(), BTreeMap::new());
        }
        let by_month = self.months.get_mut(community).expect("inserted above");
        by_month.entry(month).or_default()
    }

    /// Counts a post within the filters.
    pub fn post(&mut self, community: &str, created: Option<i64>) {
        let Some(t) = created else { return };
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        if let Some(m) = month_of(t) {
            self.counts(community, m).posts += 1;
        }
    }

    /// Counts a written post's labels.
    pub fn labeled(&mut self, community: &str, created: Option<i64>, innovation: bool, need: bool) {
        if !(innovation || need) {
            return;
        }
        if let Some(m) = created.and_then(month_of) {
            let c = self.counts(community, m);
            c.innovations += u64::from(innovation);
            c.needs += u64::from(need);
        }
    }

    /// Adds another calendar's counts.
    pub fn merge(&mut self, other: Calendar) {
        for t in other.first.into_iter().chain(other.last) {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        for (community, months) in other.months {
            let mine = self.months.entry(community).or_default();
            for (m, c) in months {
                let e = mine.entry(m).or_default();
                e.posts += c.posts;
                e.innovations += c.innovations;
                e.needs += c.needs;
            }
        }
    }

    /// Writes the counts and the date span into a summary.
    pub fn write_into(&self, summary: &mut Summary) {
        summary.first_post = self.first.map(datetime_string);
        summary.last_post = self.last.map(datetime_string);
        summary.monthly = self
            .months
            .iter()
            .map(|(community, months)| {
                let named = months.iter().map(|(m, c)| (format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1), *c));
                (community.clone(), named.collect())
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_community_and_month_and_merges() {
        let mut a = Calendar::default();
        a.post("rust", Some(1_456_790_400)); // 2016-03-01
        a.post("rust", Some(1_459_382_399)); // 2016-03-30
        a.post("rust", None);
        let mut b = Calendar::default();
        b.post("rust", Some(1_420_070_400)); // 2015-01-01
        b.labeled("rust", Some(1_420_070_400), true, true);
        b.labeled("go", Some(1_420_070_400), false, false);
        a.merge(b);
        let mut s = Summary::default();
        a.write_into(&mut s);
        assert_eq!(s.first_post.as_deref(), Some("2015-01-01T00:00:00Z"));
        assert_eq!(s.last_post.as_deref(), Some("2016-03-30T23:59:59Z"));
        let rust = &s.monthly["rust"];
        assert_eq!(rust["2016-03"], MonthCounts { posts: 2, innovations: 0, needs: 0 });
        assert_eq!(rust["2015-01"], MonthCounts { posts: 1, innovations: 1, needs: 1 });
        assert!(!s.monthly.contains_key("go"), "a community with nothing counted is not listed");
    }
}
