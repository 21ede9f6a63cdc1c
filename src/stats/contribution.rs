//! What one import added to the database, kept beside it so that
//! `grove stats forget` can take exactly that away again: per site, the
//! day totals and the series counts (the visitor sketches are kept per
//! import, site and day in their own table, since sketches cannot be
//! subtracted, only merged again without the forgotten one).

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use super::tally::{Kind, Tally};

/// One import's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// Per site.
    pub sites: Vec<SiteContribution>,
    /// Requests for hosts no site has: (host, day, requests).
    pub unknown_hosts: Vec<(String, i32, u64)>,
}

/// Counts of one series key: (kind as stored, key, [(day, count)]).
pub type SeriesCounts = (String, String, Vec<(i32, u64)>);

/// One site's part of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteContribution {
    /// The site's name.
    pub site: String,
    /// Per day: (day, views, clicks, 404s, crawler requests).
    pub days: Vec<(i32, u64, u64, u64, u64)>,
    /// Series counts.
    pub series: Vec<SeriesCounts>,
}

impl Contribution {
    /// What `tally` adds, its sites named by `site_names` (in its order).
    pub fn of(tally: &Tally, site_names: &[String]) -> Contribution {
        let mut sites = Vec::new();
        for (site, name) in tally.sites.iter().zip(site_names) {
            let mut days: Vec<(i32, u64, u64, u64, u64)> = site
                .days
                .iter()
                .map(|(day, t)| (day.0, t.views, t.clicks, t.not_found, t.crawler_hits))
                .collect();
            days.sort_unstable();
            let mut series = Vec::new();
            for kind in Kind::ALL {
                for (key, counts) in &site.series[kind as usize] {
                    let mut counts: Vec<(i32, u64)> =
                        counts.iter().map(|(day, n)| (day.0, *n)).collect();
                    counts.sort_unstable();
                    series.push((kind.name().to_string(), key.to_string(), counts));
                }
            }
            series.sort();
            if !days.is_empty() || !series.is_empty() {
                sites.push(SiteContribution {
                    site: name.clone(),
                    days,
                    series,
                });
            }
        }
        let mut unknown_hosts: Vec<(String, i32, u64)> = tally
            .unknown_hosts
            .iter()
            .map(|((host, day), hits)| (host.to_string(), day.0, *hits))
            .collect();
        unknown_hosts.sort();
        Contribution {
            sites,
            unknown_hosts,
        }
    }

    /// The stored form: JSON, deflated.
    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a contribution serializes");
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&json).expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Contribution> {
        let mut json = Vec::new();
        flate2::read::DeflateDecoder::new(bytes)
            .read_to_end(&mut json)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::Day;

    #[test]
    fn a_tally_survives_being_stored() {
        let mut tally = Tally::new(2);
        let day = Day::from_ymd(2026, 11, 24).unwrap();
        tally.sites[1].day(day).views = 3;
        tally.sites[1].count(Kind::View, "/a/", day);
        tally.sites[1].count(Kind::View, "/a/", day);
        tally.unknown_hosts.insert((Box::from("x.example"), day), 2);
        let names = ["alpha".to_string(), "beta".to_string()];
        let contribution = Contribution::of(&tally, &names);
        assert_eq!(contribution.sites.len(), 1, "alpha counted nothing");
        assert_eq!(contribution.sites[0].site, "beta");
        assert_eq!(contribution.sites[0].days, [(day.0, 3, 0, 0, 0)]);
        assert_eq!(
            contribution.sites[0].series,
            [("view".to_string(), "/a/".to_string(), vec![(day.0, 2)])]
        );
        assert_eq!(
            Contribution::decode(&contribution.encode()),
            Some(contribution)
        );
    }
}
