//! What `grove audit` reports: findings with a code, a severity, the page
//! (and the other page, for pairs) and the figure that triggered them.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// Kinds of finding, by the code users see and name in `audit_allow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// Two pages whose shingle sets are at least `near_duplicate` alike.
    NearDuplicate,
    /// Most of a page's text also appears in several other sites.
    Boilerplate,
    /// Model boilerplate or a leftover placeholder.
    AiPhrase,
    /// A sentence repeated three or more times in one page.
    RepeatedSentence,
    /// Too few words of the page's own, or too many affiliate links.
    Thin,
    /// Two pages of one site with the same title.
    DuplicateTitle,
    /// Two pages of one site with the same description.
    DuplicateDescription,
    /// A title search results would cut off, or none.
    TitleLength,
    /// A description far from what search results show, or none.
    DescriptionLength,
    /// A page naming another site's niche phrase or product.
    OtherNiche,
    /// A content image without alternative text.
    ImageAlt,
    /// A content image heavier than `[images] max_kb` once processed.
    HeavyImage,
    /// A page no other page's content links to.
    Orphan,
}

impl Code {
    /// Every code, in the order findings of one page are listed.
    pub const ALL: [Code; 13] = [
        Code::NearDuplicate,
        Code::Boilerplate,
        Code::AiPhrase,
        Code::RepeatedSentence,
        Code::Thin,
        Code::DuplicateTitle,
        Code::DuplicateDescription,
        Code::TitleLength,
        Code::DescriptionLength,
        Code::OtherNiche,
        Code::ImageAlt,
        Code::HeavyImage,
        Code::Orphan,
    ];

    /// The code as written in reports and `audit_allow`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NearDuplicate => "near-duplicate",
            Code::Boilerplate => "boilerplate",
            Code::AiPhrase => "ai-phrase",
            Code::RepeatedSentence => "repeated-sentence",
            Code::Thin => "thin",
            Code::DuplicateTitle => "duplicate-title",
            Code::DuplicateDescription => "duplicate-description",
            Code::TitleLength => "title-length",
            Code::DescriptionLength => "description-length",
            Code::OtherNiche => "other-niche",
            Code::ImageAlt => "image-alt",
            Code::HeavyImage => "heavy-image",
            Code::Orphan => "orphan",
        }
    }

    /// The code named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.as_str() == name)
    }

    /// How serious a finding of this kind is: errors are what search
    /// engines' spam policies name (copies, scaled boilerplate, unedited
    /// model output); the rest are worth a look.
    pub fn severity(self) -> Severity {
        match self {
            Code::NearDuplicate | Code::Boilerplate | Code::AiPhrase | Code::RepeatedSentence => {
                Severity::Error
            }
            Code::Thin
            | Code::DuplicateTitle
            | Code::DuplicateDescription
            | Code::TitleLength
            | Code::DescriptionLength
            | Code::OtherNiche
            | Code::ImageAlt
            | Code::HeavyImage
            | Code::Orphan => Severity::Warning,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is; errors sort first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `grove audit`, and gates `approve` and (with `block`) `build`.
    Error,
    /// Reported only.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A page the finding is about: its site and file (relative to the network
/// root, `/`-separated).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PageRef {
    /// The site the page belongs to.
    pub site: String,
    /// The content file, relative to the network root.
    pub file: String,
}

/// Another page a near-duplicate finding names, with the exact similarity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    /// Its site.
    pub site: String,
    /// Its file, relative to the network root.
    pub file: String,
    /// Jaccard similarity of the two pages' shingle sets.
    pub similarity: f64,
}

/// One thing `grove audit` found on one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// The page's site.
    pub site: String,
    /// The page's file, relative to the network root.
    pub file: String,
    /// 1-based line in the file, where the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// For pairs: the other page's site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_site: Option<String>,
    /// For pairs: the other page's file (the most similar one, for
    /// near-duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_file: Option<String>,
    /// For near-duplicates: the exact similarity with `other_file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// The figure that triggered the finding (similarity, share, words,
    /// links per 100 words, characters, occurrences).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The configured limit it was measured against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// What was found and what to do, in words.
    pub message: String,
    /// For near-duplicates: every page at or above the threshold, most
    /// similar first (the first is `other_file`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub similar: Vec<Similar>,
}

impl Finding {
    /// One line for a terminal: severity, code, file and line, message.
    pub fn line_for_terminal(&self) -> String {
        let line = self.line.map(|l| format!(":{l}")).unwrap_or_default();
        format!(
            "{:<7} {:<21} {}{line}: {}",
            self.severity.to_string(),
            self.code.as_str(),
            self.file,
            self.message
        )
    }
}

impl Finding {
    /// A finding of `code` on `page`, with its message.
    pub fn new(code: Code, page: &PageRef, message: String) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            site: page.site.clone(),
            file: page.file.clone(),
            line: None,
            other_site: None,
            other_file: None,
            similarity: None,
            value: None,
            limit: None,
            message,
            similar: Vec::new(),
        }
    }

    /// This finding at `line`.
    pub fn at_line(mut self, line: Option<usize>) -> Finding {
        self.line = line;
        self
    }

    /// This finding with the figure that triggered it and its limit.
    pub fn measured(mut self, value: f64, limit: Option<f64>) -> Finding {
        self.value = Some(value);
        self.limit = limit;
        self
    }

    /// This finding naming `other` as the page it pairs with.
    pub fn paired_with(mut self, other: &PageRef) -> Finding {
        self.other_site = Some(other.site.clone());
        self.other_file = Some(other.file.clone());
        self
    }

    /// The order of a report: by site, most severe first, then by file,
    /// line and code, so that output is the same on every run.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        (&self.site, self.severity, &self.file, self.line, self.code)
            .cmp(&(
                &other.site,
                other.severity,
                &other.file,
                other.line,
                other.code,
            ))
            .then_with(|| self.other_site.cmp(&other.other_site))
            .then_with(|| self.other_file.cmp(&other.other_file))
            .then_with(|| self.message.cmp(&other.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_errors_sort_first() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        assert_eq!(Code::parse("near-dupe"), None);
        assert!(Severity::Error < Severity::Warning);
        let page = PageRef {
            site: "a".into(),
            file: "sites/a/content/x.md".into(),
        };
        let thin = Finding::new(Code::Thin, &page, "thin".into());
        let copy = Finding::new(Code::NearDuplicate, &page, "copy".into());
        assert_eq!(copy.report_order(&thin), Ordering::Less);
        let json = serde_json::to_value(&copy).unwrap();
        assert_eq!(json["code"], "near-duplicate");
        assert_eq!(json["severity"], "error");
        assert!(json.get("line").is_none());
    }
}
