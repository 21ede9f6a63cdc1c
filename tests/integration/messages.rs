//! Messages tell the truth: every option a message of Grove's sources
//! suggests exists on the command the message is about (the one it names
//! as `grove <command>`, else the command of the module it is in), so no
//! message sends a user to a flag that is not there.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use clap::CommandFactory;
use grove::cmd::Cli;

/// Long options per subcommand (and its subcommands), and the global ones
/// under "".
fn options() -> BTreeMap<String, BTreeSet<String>> {
    fn collect(command: &clap::Command, into: &mut BTreeSet<String>) {
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                into.insert(long.to_string());
            }
        }
        for sub in command.get_subcommands() {
            collect(sub, into);
        }
    }
    let cli = Cli::command();
    let mut map = BTreeMap::new();
    let mut global = BTreeSet::from(["help".to_string(), "version".to_string()]);
    for arg in cli.get_arguments() {
        if let Some(long) = arg.get_long() {
            global.insert(long.to_string());
        }
    }
    for sub in cli.get_subcommands() {
        let mut set = global.clone();
        collect(sub, &mut set);
        map.insert(sub.get_name().to_string(), set);
    }
    map.insert(String::new(), global);
    map
}

/// `--name` options in the string literals of `line`, each with the text
/// of its literal before it.
fn suggested(line: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (index, literal) in line.split('"').enumerate() {
        if index % 2 == 0 {
            continue; // outside quotes
        }
        let mut rest = literal;
        let mut before = String::new();
        while let Some(at) = rest.find("--") {
            let prefix = &rest[..at];
            let after = &rest[at + 2..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect();
            let is_option = name.len() > 1
                && !name.ends_with('-')
                && !prefix.ends_with('<')
                && !prefix.ends_with('!')
                && name.starts_with(|c: char| c.is_ascii_lowercase());
            before.push_str(prefix);
            if is_option {
                found.push((name.clone(), before.clone()));
            }
            before.push_str("--");
            rest = after;
        }
    }
    found
}

#[test]
fn every_suggested_option_exists_on_its_command() {
    let options = options();
    let all: BTreeSet<&String> = options.values().flatten().collect();
    let src = common::repo().join("src");
    let mut wrong = Vec::new();
    for file in common::files_below(&src) {
        if !file.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        // The command a module's messages are about, when it is one.
        let module = file
            .trim_start_matches("cmd/")
            .split(['/', '.'])
            .next()
            .unwrap()
            .replace('_', "-");
        for (number, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            // Another program's options are marked as such.
            if trimmed.starts_with("//")
                || trimmed.starts_with("#[")
                || line.ends_with("// rsync's options, not grove's")
            {
                continue;
            }
            for (option, before) in suggested(line) {
                // `grove research ... --count`: the last command named.
                let named = before
                    .rsplit("grove ")
                    .next()
                    .filter(|_| before.contains("grove "))
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_string);
                let command = named
                    .filter(|n| options.contains_key(n))
                    .or_else(|| options.contains_key(&module).then(|| module.clone()));
                let known = match &command {
                    Some(command) => options[command].contains(&option),
                    None => all.contains(&option),
                };
                if !known {
                    wrong.push(format!(
                        "src/{file}:{}: --{option} ({})",
                        number + 1,
                        command.as_deref().unwrap_or("no command has it")
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "options suggested that do not exist:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_finds_a_wrong_suggestion() {
    let options = options();
    assert!(options["research"].contains("count"));
    assert!(!options["draft"].contains("count"));
    assert_eq!(
        suggested(r#"format!("x, or --count (see `grove research --help`); <!--more-->")"#),
        [
            ("count".to_string(), "x, or ".to_string()),
            (
                "help".to_string(),
                "x, or --count (see `grove research ".to_string()
            )
        ]
    );
}
