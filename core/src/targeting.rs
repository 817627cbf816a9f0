//! Who sees a message, where and when.

use serde::{Deserialize, Serialize};

/// The rules of one message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    /// Pages the message may appear on.
    #[serde(default)]
    pub pages: PageRules,
}

/// Include and exclude lists of URL rules. An empty include list means every
/// page; an exclude match always wins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRules {
    /// The page must match one of these (or the list is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<UrlRule>,
    /// The page must match none of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<UrlRule>,
}

/// How a URL rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlMatch {
    /// The path (or full URL, if the pattern has a scheme) is exactly this.
    Equals,
    /// Contains this.
    Contains,
    /// Starts with this.
    StartsWith,
    /// Ends with this.
    EndsWith,
}

/// One URL rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlRule {
    /// How to compare.
    #[serde(rename = "match")]
    pub kind: UrlMatch,
    /// What to compare with.
    pub value: String,
}

/// The part of a URL rules compare with: the whole URL when the pattern has
/// a scheme, otherwise path + query + fragment, so authors write `/pricing`.
fn subject<'a>(url: &'a str, pattern: &str) -> &'a str {
    if pattern.contains("://") {
        return url;
    }
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => url,
    }
}

impl UrlRule {
    /// Whether `url` satisfies this rule.
    pub fn matches(&self, url: &str) -> bool {
        let s = subject(url, &self.value);
        match self.kind {
            UrlMatch::Equals => {
                let path_only = s.split(['?', '#']).next().unwrap_or(s);
                s == self.value || path_only == self.value
            }
            UrlMatch::Contains => s.contains(&self.value),
            UrlMatch::StartsWith => s.starts_with(&self.value),
            UrlMatch::EndsWith => {
                let path_only = s.split(['?', '#']).next().unwrap_or(s);
                s.ends_with(&self.value) || path_only.ends_with(&self.value)
            }
        }
    }
}

impl PageRules {
    /// Whether a message with these rules may appear at `url`.
    pub fn matches(&self, url: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.matches(url)))
            && !self.exclude.iter().any(|r| r.matches(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: UrlMatch, value: &str) -> UrlRule {
        UrlRule {
            kind,
            value: value.into(),
        }
    }

    #[test]
    fn equals_compares_the_path_ignoring_query() {
        let r = rule(UrlMatch::Equals, "/pricing");
        assert!(r.matches("https://app.example/pricing"));
        assert!(r.matches("https://app.example/pricing?ref=x"));
        assert!(!r.matches("https://app.example/pricing/team"));
    }

    #[test]
    fn full_url_patterns_compare_the_full_url() {
        let r = rule(UrlMatch::StartsWith, "https://app.example/");
        assert!(r.matches("https://app.example/a"));
        assert!(!r.matches("https://other.example/a"));
    }

    #[test]
    fn exclude_wins_over_include() {
        let rules = PageRules {
            include: vec![rule(UrlMatch::StartsWith, "/app")],
            exclude: vec![rule(UrlMatch::Contains, "settings")],
        };
        assert!(rules.matches("http://h/app/home"));
        assert!(!rules.matches("http://h/app/settings"));
        assert!(!rules.matches("http://h/"));
        assert!(PageRules::default().matches("http://h/anything"));
    }
}
