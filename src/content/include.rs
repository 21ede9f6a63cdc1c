//! Which pages a load includes besides those published now: drafts
//! (`draft = true`), and pages dated in the future (scheduled).

use chrono::NaiveDateTime;

use super::Date;

/// Which unpublished pages to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    /// Pages marked `draft = true`.
    pub drafts: bool,
    /// Pages whose `date` is after `now`.
    pub future: bool,
    /// The moment "the future" starts, in UTC: one instant for a whole
    /// build, so that every site and listing agrees.
    pub now: NaiveDateTime,
}

/// Why a page was left out of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    /// It is a draft.
    Draft,
    /// Its date is in the future: it goes out then.
    Scheduled(Date),
    /// It is a translation (`post.fr.md`) into a language other than the
    /// site's.
    Translation(String),
}

impl Include {
    /// Published pages only, as of now.
    pub fn published() -> Include {
        Include {
            drafts: false,
            future: false,
            now: chrono::Utc::now().naive_utc(),
        }
    }

    /// Every page: drafts and scheduled ones too.
    pub fn everything() -> Include {
        Include {
            drafts: true,
            future: true,
            ..Include::published()
        }
    }

    /// These settings with `drafts` and `future` as given.
    pub fn with(self, drafts: bool, future: bool) -> Include {
        Include {
            drafts,
            future,
            ..self
        }
    }

    /// Why a page marked `draft` and dated `date` is left out, if it is.
    pub fn leaves_out(&self, draft: bool, date: Option<&Date>) -> Option<LeftOut> {
        if draft && !self.drafts {
            return Some(LeftOut::Draft);
        }
        match date {
            Some(date) if !self.future && date.instant() > self.now => {
                Some(LeftOut::Scheduled(date.clone()))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_and_future_pages_are_left_out_unless_included() {
        let include = Include {
            now: Date::parse("2026-11-24T12:00:00Z").unwrap().instant(),
            ..Include::published()
        };
        let today = Date::parse("2026-11-24").unwrap();
        let tomorrow = Date::parse("2026-11-25").unwrap();
        let later_today = Date::parse("2026-11-24T18:00:00+00:00").unwrap();
        assert_eq!(include.leaves_out(false, Some(&today)), None);
        assert_eq!(include.leaves_out(false, None), None);
        assert_eq!(
            include.leaves_out(false, Some(&tomorrow)),
            Some(LeftOut::Scheduled(tomorrow.clone()))
        );
        assert!(include.leaves_out(false, Some(&later_today)).is_some());
        assert_eq!(
            include.leaves_out(true, Some(&tomorrow)),
            Some(LeftOut::Draft)
        );
        let all = include.with(true, true);
        assert_eq!(all.leaves_out(true, Some(&tomorrow)), None);
    }
}
