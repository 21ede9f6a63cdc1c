//! `grove doctor`: a network's setup checked in one go (configuration,
//! theme, sites, affiliate tags, the model server, prompts and briefs, the
//! output folder), each problem with what to do about it.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::affiliate::Registry;
use crate::build::{load_themes, output_dir};
use crate::draft::manifest::Manifest;
use crate::draft::plan::{Status, plan};
use crate::error::display_path;
use crate::model::client::Client;
use crate::network::{LlmConfig, Network, Provider, Site};
use crate::scaffold::EXAMPLE_VALUES;

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// As it should be.
    Ok,
    /// Works, but probably not what the user wants to publish.
    Warning,
    /// Something a command will fail on.
    Problem,
}

/// One checked thing.
#[derive(Debug, Clone)]
pub struct Finding {
    /// How it went.
    pub severity: Severity,
    /// What was checked: `config`, `site example`, `llm`...
    pub subject: String,
    /// What was found.
    pub message: String,
    /// What to do, for a warning or a problem.
    pub fix: Option<String>,
}

impl Finding {
    fn ok(subject: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Ok,
            subject: subject.into(),
            message: message.into(),
            fix: None,
        }
    }

    fn bad(
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            subject: subject.into(),
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Checks the network at `root`. Later checks need the configuration, so
/// a configuration that does not load is the only finding.
pub fn examine(root: &Path) -> Vec<Finding> {
    let network = match Network::load(root) {
        Ok(network) => network,
        Err(error) => {
            return vec![Finding::bad(
                Severity::Problem,
                "config",
                error.to_string(),
                "correct the file named above (`grove new` in an empty folder writes a commented example)",
            )];
        }
    };
    let sites: Vec<&Site> = network.sites.iter().collect();
    let mut findings = vec![config_finding(&network)];
    let themes_load = match load_themes(&network, &sites) {
        Ok(themes) => {
            let names: Vec<&str> = themes.keys().copied().collect();
            findings.push(Finding::ok(
                "theme",
                format!("{} loads", quoted_list(&names)),
            ));
            true
        }
        Err(error) => {
            findings.push(Finding::bad(
                Severity::Problem,
                "theme",
                error.to_string(),
                "put the theme in themes/<name>/ or correct `theme` in grove.toml or the site's site.toml",
            ));
            false
        }
    };
    for site in &sites {
        findings.extend(site_findings(&network, site));
    }
    findings.extend(llm_findings(&network));
    if themes_load {
        findings.push(briefs_finding(&network, &sites));
    }
    findings.push(match output_dir(&network, None) {
        Ok(out) => Finding::ok(
            "output",
            format!("{} is safe to write", display_path(&out).display()),
        ),
        Err(error) => Finding::bad(
            Severity::Problem,
            "output",
            error.to_string(),
            "set output_dir in grove.toml to a folder outside the network's sources, such as \"public\"",
        ),
    });
    findings
}

fn config_finding(network: &Network) -> Finding {
    match network.sites.len() {
        0 => Finding::bad(
            Severity::Warning,
            "config",
            "grove.toml loads, but the network has no site",
            "add one with `grove new-site NAME`",
        ),
        n => Finding::ok(
            "config",
            format!(
                "grove.toml and {n} site{} load",
                if n == 1 { "" } else { "s" }
            ),
        ),
    }
}

/// A site's base URL and the affiliate tags its registry URLs use.
fn site_findings(network: &Network, site: &Site) -> Vec<Finding> {
    let subject = format!("site {}", site.name);
    let site_toml = display_path(&site.dir.join("site.toml"))
        .display()
        .to_string();
    let mut findings = Vec::new();
    let host = site
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    if host == "example.com" || host.ends_with(".example.com") || host == "localhost" {
        findings.push(Finding::bad(
            Severity::Warning,
            &subject,
            format!("base_url {} is a placeholder", site.base_url),
            format!("set base_url in {site_toml} to the address the site will be served at before publishing (links, the sitemap and feeds use it)"),
        ));
    } else {
        findings.push(Finding::ok(&subject, format!("base_url {}", site.base_url)));
    }
    findings.extend(niche_findings(network, site, &subject, &site_toml));
    let registry = match Registry::load(&network.root, site) {
        Ok(registry) => registry,
        Err(error) => {
            findings.push(Finding::bad(
                Severity::Problem,
                &subject,
                error.to_string(),
                "correct the affiliate registry entry named above",
            ));
            return findings;
        }
    };
    let mut missing: BTreeSet<(String, String)> = BTreeSet::new();
    let mut used = BTreeSet::new();
    for slug in registry.slugs() {
        let Some(entry) = registry.get(slug) else {
            continue;
        };
        for tag in affiliate_tags(&entry.url) {
            used.insert(tag.clone());
            if site.config.affiliate.get(&tag).is_none_or(|v| v.is_empty()) {
                missing.insert((tag, slug.to_string()));
            }
        }
    }
    if missing.is_empty() {
        if !used.is_empty() {
            let tags: Vec<&str> = used.iter().map(String::as_str).collect();
            findings.push(Finding::ok(
                &subject,
                format!("affiliate tags set: {}", quoted_list(&tags)),
            ));
        }
    } else {
        for (tag, slug) in missing {
            findings.push(Finding::bad(
                Severity::Problem,
                &subject,
                format!(
                    "no affiliate tag `{tag}`, which the registry entry `{slug}` uses in its url"
                ),
                format!("add {tag} = \"...\" under [affiliate] in {site_toml}"),
            ));
        }
    }
    findings
}

/// Values a site still has from the example `grove new-site` writes, and
/// niche values it shares with another site: either way, its briefs
/// expand to the same titles as other sites'.
fn niche_findings(network: &Network, site: &Site, subject: &str, site_toml: &str) -> Vec<Finding> {
    let value = |site: &Site, key: &str| -> String {
        let config = &site.config;
        match key.strip_prefix("vars.") {
            Some(var) => config
                .vars
                .get(var)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .trim()
                .to_string(),
            None if key == "audience" => config.audience.trim().to_string(),
            None if key == "description" => config.description.trim().to_string(),
            None => String::new(),
        }
    };
    let mut findings = Vec::new();
    for (key, example) in EXAMPLE_VALUES {
        let mine = value(site, key);
        let shared_with = network.sites.iter().find(|other| {
            other.name != site.name
                && !mine.is_empty()
                && key != "description"
                && value(other, key) == mine
        });
        let message = if mine == example && example.is_empty() {
            format!("no {key}")
        } else if mine == example {
            format!("{key} is still the example's: \"{example}\"")
        } else if let Some(other) = shared_with {
            format!("{key} \"{mine}\" is the same on site {}", other.name)
        } else {
            continue;
        };
        findings.push(Finding::bad(
            Severity::Warning,
            subject,
            message,
            format!("set {key} in {site_toml} to this site's own: briefs, prompts and search results use it, and sites sharing a value draft the same titles"),
        ));
    }
    findings
}

/// The `site.affiliate.NAME` values a registry URL template reads.
fn affiliate_tags(url: &str) -> Vec<String> {
    url.match_indices("site.affiliate.")
        .map(|(at, marker)| {
            url[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|tag| !tag.is_empty())
        .collect()
}

/// Each distinct model setup of the network (sites may pick their own
/// model): the key's variable, the server, the model.
fn llm_findings(network: &Network) -> Vec<Finding> {
    if network.config.llm.is_none() {
        return vec![Finding::bad(
            Severity::Warning,
            "llm",
            "grove.toml has no [llm] table: `grove draft` and `grove research` cannot run",
            "add an [llm] table to grove.toml (`grove new` in an empty folder writes a commented one; see `grove draft --help`)",
        )];
    }
    let mut setups: Vec<LlmConfig> = Vec::new();
    for site in &network.sites {
        let llm = site.llm(&network.config).expect("checked above");
        let same = |other: &LlmConfig| {
            (
                other.provider,
                other.base_url(),
                &other.model,
                &other.api_key_env,
            ) == (llm.provider, llm.base_url(), &llm.model, &llm.api_key_env)
        };
        if !setups.iter().any(same) {
            setups.push(llm);
        }
    }
    if setups.is_empty() {
        setups.extend(network.config.llm.clone());
    }
    setups.iter().flat_map(llm_setup_findings).collect()
}

fn llm_setup_findings(llm: &LlmConfig) -> Vec<Finding> {
    let subject = format!("llm {}", llm.model);
    let mut findings = Vec::new();
    match &llm.api_key_env {
        Some(var) => match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => findings.push(Finding::ok(
                &subject,
                format!("the API key variable {var} is set"),
            )),
            _ => {
                findings.push(Finding::bad(
                    Severity::Problem,
                    &subject,
                    format!("the environment variable {var} (named by [llm] api_key_env) is not set"),
                    format!("export {var} with your API key (in your shell or CI secrets; never in grove.toml)"),
                ));
                return findings;
            }
        },
        None if needs_key(llm) => {
            findings.push(Finding::bad(
                Severity::Problem,
                &subject,
                format!("{} needs an API key, and [llm] names no api_key_env", llm.base_url()),
                "add api_key_env = \"NAME_OF_THE_VARIABLE\" to [llm] in grove.toml and export that variable",
            ));
            return findings;
        }
        None => {}
    }
    findings.push(server_finding(llm, &subject));
    findings
}

/// Hosted APIs that always need a key.
fn needs_key(llm: &LlmConfig) -> bool {
    llm.provider == Provider::Anthropic
        || llm.base_url().contains("api.openai.com")
        || llm.base_url().contains("api.anthropic.com")
}

/// Whether the server answers, and whether it knows the model.
fn server_finding(llm: &LlmConfig, subject: &str) -> Finding {
    let listed = Client::new(llm)
        .map_err(|e| e.to_string())
        .and_then(|client| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))?;
            runtime.block_on(client.models())
        });
    let base = llm.base_url();
    match listed {
        Err(message) => Finding::bad(
            Severity::Problem,
            subject,
            message,
            format!(
                "start the model server at {base} (Ollama: `ollama serve`), or correct base_url in [llm]"
            ),
        ),
        Ok(None) => Finding::bad(
            Severity::Warning,
            subject,
            format!(
                "{base} answers but does not list its models, so the model name was not checked"
            ),
            "make sure the server has the model named by [llm] model (`grove draft --limit 1` tries one)",
        ),
        Ok(Some(models)) if knows(&models, &llm.model) => {
            Finding::ok(subject, format!("{base} answers and has the model"))
        }
        Ok(Some(models)) => {
            let shown: Vec<&str> = models.iter().take(8).map(String::as_str).collect();
            let has = if models.is_empty() {
                "no model".to_string()
            } else {
                quoted_list(&shown)
            };
            Finding::bad(
                Severity::Problem,
                subject,
                format!(
                    "{base} does not know the model `{}`; it has {has}",
                    llm.model
                ),
                format!(
                    "set [llm] model to one of those, or load it into the server (Ollama: `ollama pull {}`)",
                    llm.model
                ),
            )
        }
    }
}

/// Whether `model` is in the server's list; Ollama lists `llama3.2` as
/// `llama3.2:latest`.
fn knows(models: &[String], model: &str) -> bool {
    models
        .iter()
        .any(|m| m == model || m.strip_suffix(":latest") == Some(model))
}

/// Every brief of every site expanded, with its prompt and registry
/// entries: what `grove plan` and `grove draft` would read.
fn briefs_finding(network: &Network, sites: &[&Site]) -> Finding {
    if network.config.llm.is_none() {
        return Finding::ok("briefs", "not checked: no [llm] table");
    }
    let manifest = match Manifest::load(&network.root) {
        Ok(manifest) => Arc::new(manifest),
        Err(error) => {
            return Finding::bad(
                Severity::Problem,
                "briefs",
                error.to_string(),
                "correct or remove the file named above",
            );
        }
    };
    match plan(network, sites, &manifest) {
        Ok(jobs) => {
            let to_draft = jobs.iter().filter(|j| j.status == Status::ToDraft).count();
            Finding::ok(
                "briefs",
                format!(
                    "{} brief{} and their prompts are valid; {to_draft} to draft (`grove plan` lists them)",
                    jobs.len(),
                    if jobs.len() == 1 { "" } else { "s" }
                ),
            )
        }
        Err(error) => Finding::bad(
            Severity::Problem,
            "briefs",
            error.to_string(),
            "correct the brief, prompt or registry entry named above",
        ),
    }
}

/// `a`, `b` and `c` in backquotes, joined.
fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls_name_their_tags() {
        assert_eq!(
            affiliate_tags(
                "https://a.com/dp/1?tag={{ site.affiliate.amazon_tag }}&x={{site.affiliate.x_id}}"
            ),
            ["amazon_tag", "x_id"]
        );
        assert!(affiliate_tags("https://a.com/").is_empty());
    }

    #[test]
    fn ollama_names_match_without_their_tag() {
        let models = vec!["llama3.2:latest".to_string(), "qwen2.5:7b".to_string()];
        assert!(knows(&models, "llama3.2"));
        assert!(knows(&models, "qwen2.5:7b"));
        assert!(!knows(&models, "qwen2.5"));
    }
}
